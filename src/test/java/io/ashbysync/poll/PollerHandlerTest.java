package io.ashbysync.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.MutableClock;
import io.ashbysync.ashby.simulator.Fault;
import io.ashbysync.ashby.simulator.RequestRecord;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.mirror.CandidateDocuments;
import io.ashbysync.mirror.MirrorRow;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.ops.StatusReport;
import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.AwsFaults;
import io.ashbysync.testing.ClaimedEvents;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.InProcessCommands;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.LambdaInvoker;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The `poller` function through Quarkus' Lambda event server against the Ashby simulator and local AWS. The work
 * items it fans out (per-candidate details) are read from the real work queue and run by the commands function
 * ({@link CommandHarness#drainWork}).
 */
@QuarkusTest
@TestProfile(PollerHandlerTest.PollerProfile.class)
class PollerHandlerTest {
    public static class PollerProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "poller");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    MirrorStore mirror;
    @Inject
    SyncState state;
    @Inject
    IdentityIndex identity;
    @Inject
    S3Client s3;
    @Inject
    PollerConfig config;
    @Inject
    Quarantine quarantine;
    @Inject
    StatusReport status;

    /** Runs the work the poller fans out through the commands function, as its SQS event source would. */
    private CommandHarness work;

    @BeforeEach
    void filesBucket() {
        work = new CommandHarness(aws, InProcessCommands::invoke);
        PolledTenants.ensureBucket(s3, config.filesBucket());
        simulator.faults().clear();
        AwsFaults.plan().clear();
    }

    @Test
    void firstFullSync_mirrorEqualsAshbyFieldByField_andEveryCandidateGetsItsDocument() throws Exception {
        TestTenant tenant = seededTenant(30);

        JsonPath summary = poll();
        work.drainWork(tenant.tenantId());

        assertThat(summary.getList("polledTenants", String.class)).containsExactly(tenant.tenantId());
        assertMirrorEqualsAshby(tenant);
        List<JsonNode> events = events(tenant);
        Map<String, JsonNode> documents = latestDocuments(events);
        assertThat(documents.keySet()).containsExactlyInAnyOrderElementsOf(candidateIds(tenant.organization()));
        JsonNode withApplication = documents.values().stream()
                .filter(d -> d.path("data").path("applications").size() > 0).findFirst().orElseThrow();
        assertThat(withApplication.path("data").path("applications").get(0).path("applicationHistory").size()).isPositive();
        assertThat(events.stream().map(e -> e.path("type").asText()).collect(Collectors.toSet()))
                .contains("job.upserted", "user.upserted", "archiveReason.upserted", "source.upserted",
                        "communicationTemplate.upserted", "jobPosting.upserted", "interviewStage.upserted", "candidateTag.upserted");
        // per-candidate cost of a backfill: one notes call per candidate, one history call per application, one
        // file.info per file; everything else is list pages
        SimulatedOrganization org = tenant.organization();
        long files = org.candidates().stream().filter(c -> c.has("resumeFileHandle")).count();
        assertThat(calls(tenant, "candidate.listNotes")).isEqualTo(org.candidates().size());
        assertThat(calls(tenant, "application.listHistory")).isEqualTo(org.applications().size());
        assertThat(calls(tenant, "file.info")).isEqualTo(files);
        Map<String, ?> status = state.status(tenant.tenantId());
        assertThat(status).containsKeys("phase", "recordsPerMinute", "candidatesLastFullPass");
        assertThat(status.get("phase").toString()).contains("drained");
    }

    @Test
    void incrementalPass_afterRecruiterActivity_restoresEquality_andEmitsOnlyForWhatChanged() throws Exception {
        TestTenant tenant = syncedTenant(30);
        Map<String, String> applicationVersions = applicationVersions(tenant.organization());
        Map<String, String> candidateVersions = tenant.organization().candidates().stream()
                .collect(Collectors.toMap(c -> c.get("id").asText(), c -> c.get("updatedAt").asText()));
        int requestsBefore = simulator.requestLog("candidate.list").size();

        tenant.organization().randomActivity(new Random(7), 8);
        Set<String> changed = new HashSet<>();
        tenant.organization().applications().forEach(a -> {
            if (!a.get("updatedAt").asText().equals(applicationVersions.get(a.get("id").asText()))) {
                changed.add(a.get("candidate").get("id").asText());
            }
        });
        tenant.organization().candidates().forEach(c -> {
            if (!c.get("updatedAt").asText().equals(candidateVersions.get(c.get("id").asText()))) changed.add(c.get("id").asText());
        });
        assertThat(changed).isNotEmpty();

        poll();
        work.drainWork(tenant.tenantId());

        assertMirrorEqualsAshby(tenant);
        List<JsonNode> events = events(tenant);
        assertThat(events).allSatisfy(e -> assertThat(e.path("type").asText()).isEqualTo(CandidateDocuments.UPSERTED));
        assertThat(events.stream().map(e -> e.path("entityId").asText()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(changed);
        List<RequestRecord> listings = simulator.requestLog("candidate.list");
        assertThat(listings.subList(requestsBefore, listings.size()))
                .filteredOn(r -> r.apiKey().equals(tenant.apiKey()))
                .allSatisfy(r -> assertThat(r.body()).contains("syncToken"));
    }

    @Test
    void crashAfterAPage_nextRunResumesFromTheCheckpoint_andLosesNothing() throws Exception {
        TestTenant tenant = seededTenant(150);
        // first page answers normally, the second fails in a way no retry fixes: the invocation "crashes" there
        simulator.faults().next("candidate.list", Fault.delay(Duration.ZERO))
                .next("candidate.list", Fault.rawBody(500, "<html>bad gateway</html>"))
                .next("candidate.list", Fault.rawBody(500, "<html>bad gateway</html>"))
                .next("candidate.list", Fault.rawBody(500, "<html>bad gateway</html>"))
                .next("candidate.list", Fault.rawBody(500, "<html>bad gateway</html>"))
                .next("candidate.list", Fault.rawBody(500, "<html>bad gateway</html>"))
                .next("candidate.list", Fault.rawBody(500, "<html>bad gateway</html>"))
                .next("candidate.list", Fault.rawBody(500, "<html>bad gateway</html>"));

        JsonPath crashed = poll();
        assertThat(crashed.getList("failedTenants", String.class)).containsExactly(tenant.tenantId());
        SyncState.StreamCursor checkpoint = state.cursor(tenant.tenantId(), "candidates");
        assertThat(checkpoint.inPass()).isTrue();
        assertThat(checkpoint.cursor()).isNotNull();
        assertThat(checkpoint.passRecords()).isEqualTo(100);
        simulator.faults().clear();
        int before = simulator.requestLog("candidate.list").size();

        JsonPath resumed = poll();
        work.drainWork(tenant.tenantId());

        assertThat(resumed.getList("polledTenants", String.class)).containsExactly(tenant.tenantId());
        RequestRecord firstAfterCrash = simulator.requestLog("candidate.list").subList(before, simulator.requestLog("candidate.list").size())
                .stream().filter(r -> r.apiKey().equals(tenant.apiKey())).findFirst().orElseThrow();
        assertThat(JSON.readTree(firstAfterCrash.body()).path("cursor").asText()).isEqualTo(checkpoint.cursor());
        assertMirrorEqualsAshby(tenant);
        assertThat(latestDocuments(events(tenant)).keySet()).containsExactlyInAnyOrderElementsOf(candidateIds(tenant.organization()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync_token_expired", "sync_token_invalid", "incremental_sync_too_large",
        "next_cursor_expired", "invalid_next_cursor", "cursor_invalid"})
    void expiredSyncState_restartsTheStreamFromFull_andReachesEquality(String code) throws Exception {
        int candidates = 8;
        TestTenant tenant = syncedTenant(candidates);
        tenant.organization().randomActivity(new Random(11), 5);
        simulator.faults().next("candidate.list", Fault.rawBody(200, "{\"success\":false,\"errors\":[\"" + code
                + "\"],\"errorInfo\":{\"code\":\"" + code + "\",\"message\":\"expired\"}}"));

        JsonPath summary = poll();
        work.drainWork(tenant.tenantId());

        assertThat(summary.getList("polledTenants", String.class)).containsExactly(tenant.tenantId());
        assertThat(state.cursor(tenant.tenantId(), "candidates").lastFullCount()).isEqualTo(candidates);
        assertMirrorEqualsAshby(tenant);
    }

    @Test
    void expiredTokensAndCursorsInAshby_restartFromFull_andReachEquality() throws Exception {
        TestTenant tenant = seededTenant(25);
        poll();
        work.drainWork(tenant.tenantId());
        tenant.organization().randomActivity(new Random(3), 10);
        tenant.organization().expireSyncTokens();
        tenant.organization().expireCursors();

        JsonPath summary = poll();
        work.drainWork(tenant.tenantId());

        assertThat(summary.getList("polledTenants", String.class)).containsExactly(tenant.tenantId());
        assertMirrorEqualsAshby(tenant);
    }

    @Test
    void stormOf429sAnd5xx_passStillReachesEquality() throws Exception {
        TestTenant tenant = seededTenant(20);
        simulator.faults().random(0.15, Fault.rateLimited(null), Fault.status(503));
        try {
            JsonPath summary = poll();
            work.drainWork(tenant.tenantId());
            assertThat(summary.getList("polledTenants", String.class)).containsExactly(tenant.tenantId());
        } finally {
            simulator.faults().clear();
        }
        assertThat(simulator.requestLog().stream().filter(r -> tenant.apiKey().equals(r.apiKey()))
                .filter(r -> r.httpStatus() == 429 || r.httpStatus() == 503)).isNotEmpty();
        assertMirrorEqualsAshby(tenant);
    }

    @Test
    void tenantLeasedByAnotherPoller_isLeftAlone_untilTheLeaseIsFree() throws Exception {
        TestTenant tenant = seededTenant(5);
        Instant now = Instant.now();
        assertThat(state.acquireLease(tenant.tenantId(), "other-invocation", now, now.plus(Duration.ofMinutes(5)))).isTrue();

        JsonPath whileHeld = poll();

        assertThat(whileHeld.getList("busyTenants", String.class)).containsExactly(tenant.tenantId());
        assertThat(simulator.requestCount(tenant.apiKey())).isZero();

        state.releaseLease(tenant.tenantId(), "other-invocation");
        JsonPath afterRelease = poll();
        assertThat(afterRelease.getList("polledTenants", String.class)).containsExactly(tenant.tenantId());
        assertThat(state.acquireLease(tenant.tenantId(), "next-invocation", Instant.now(), Instant.now().plusSeconds(60)))
                .as("the poller releases its lease when done").isTrue();
    }

    @Test
    void fullPass_reconcilesDeletesAndMerges_inMirrorIdentityIndexAndEvents() throws Exception {
        TestTenant tenant = syncedTenant(20);
        SimulatedOrganization org = tenant.organization();
        List<ObjectNode> withEmail = org.candidates().stream().filter(c -> c.has("primaryEmailAddress"))
                .filter(c -> c.get("applicationIds").size() > 0).toList();
        ObjectNode deleted = withEmail.get(0);
        ObjectNode mergedAway = withEmail.get(1);
        ObjectNode survivor = withEmail.get(2);
        String deletedEmail = deleted.get("primaryEmailAddress").get("value").asText();
        String mergedEmail = mergedAway.get("primaryEmailAddress").get("value").asText();
        org.deleteCandidate(deleted.get("id").asText());
        org.mergeCandidates(mergedAway.get("id").asText(), survivor.get("id").asText());
        state.requestFullPass(tenant.tenantId(), "applications");
        state.requestFullPass(tenant.tenantId(), "candidates");

        poll();
        work.drainWork(tenant.tenantId());

        assertMirrorEqualsAshby(tenant);
        assertThat(mirror.get(tenant.tenantId(), "CANDIDATE", deleted.get("id").asText(), MirrorStore.ITEM).orElseThrow().deleted()).isTrue();
        assertThat(identity.candidateForEmail(tenant.tenantId(), deletedEmail)).isEmpty();
        assertThat(identity.candidateForEmail(tenant.tenantId(), mergedEmail)).contains(survivor.get("id").asText());
        List<JsonNode> events = events(tenant);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("type").asText()).isEqualTo("candidate.deleted");
            assertThat(e.path("entityId").asText()).isEqualTo(deleted.get("id").asText());
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("type").asText()).isEqualTo("candidate.merged");
            assertThat(e.path("data").path("mergedIntoCandidateId").asText()).isEqualTo(survivor.get("id").asText());
        });
        assertThat(events).anySatisfy(e -> assertThat(e.path("type").asText()).isEqualTo("application.deleted"));
    }

    @Test
    void aCandidateTheFullListingMissed_whileAshbyStillHasIt_isNotDeleted() throws Exception {
        TestTenant tenant = syncedTenant(6);
        SimulatedOrganization org = tenant.organization();
        ObjectNode missed = org.candidates().stream().filter(c -> c.has("primaryEmailAddress")).findFirst().orElseThrow();
        String missedId = missed.get("id").asText();
        org.missFromListings(missedId);

        state.requestFullPass(tenant.tenantId(), "candidates");
        poll();
        work.drainWork(tenant.tenantId());

        assertThat(live(tenant.tenantId(), "CANDIDATE")).as("absent from a listing is not gone from Ashby").containsKey(missedId);
        assertThat(events(tenant)).noneMatch(e -> e.path("type").asText().equals("candidate.deleted")
                || e.path("type").asText().equals("candidate.merged"));
        assertThat(identity.candidateForEmail(tenant.tenantId(), missed.get("primaryEmailAddress").get("value").asText())).contains(missedId);
        assertThat(simulator.requestLog("candidate.info").stream().filter(r -> tenant.apiKey().equals(r.apiKey()))).as("asked Ashby once")
                .hasSize(1);
    }

    @Test
    void aFullPassReconciledFromALaggingIndex_deletesNobody() throws Exception {
        TestTenant tenant = syncedTenant(6);
        // DynamoDB's indexes are eventually consistent: the pass's stamps are not in the index when it reconciles
        AwsFaults.plan().clock(new MutableClock(Instant.now())).lagIndexes(Duration.ofMinutes(5));
        state.requestFullPass(tenant.tenantId(), "candidates");

        poll();
        work.drainWork(tenant.tenantId());

        assertThat(live(tenant.tenantId(), "CANDIDATE").keySet()).containsExactlyInAnyOrderElementsOf(candidateIds(tenant.organization()));
        assertThat(events(tenant)).noneMatch(e -> e.path("type").asText().equals("candidate.deleted"));
        assertThat(calls(tenant, "candidate.info")).as("the row's consistent read settles it; Ashby is not asked").isZero();
    }

    @Test
    void aDeleteWhoseEventCouldNotBeSent_isSentByTheNextPass_notLostBehindItsTombstone() throws Exception {
        TestTenant tenant = syncedTenant(6);
        SimulatedOrganization org = tenant.organization();
        String deletedId = org.candidates().get(1).get("id").asText();
        org.deleteCandidate(deletedId);
        state.requestFullPass(tenant.tenantId(), "candidates");
        // SQS refuses every attempt of the next send to the events queue: the candidate.deleted of the reconciliation
        AwsFaults.plan().failNextCalls(AwsFaults.Service.SQS, "SendMessageBatch", aws.queueUrl("EventsQueue"), 1,
                AwsFaults.Kind.SERVER_ERROR);

        JsonPath failed = poll();
        assertThat(failed.getList("failedTenants", String.class)).containsExactly(tenant.tenantId());
        JsonPath retried = poll();
        work.drainWork(tenant.tenantId());

        assertThat(retried.getList("polledTenants", String.class)).containsExactly(tenant.tenantId());
        assertThat(mirror.get(tenant.tenantId(), "CANDIDATE", deletedId, MirrorStore.ITEM).orElseThrow().deleted()).isTrue();
        assertThat(events(tenant)).filteredOn(e -> e.path("type").asText().equals("candidate.deleted"))
                .extracting(e -> e.path("entityId").asText()).containsExactly(deletedId);
    }

    @Test
    void aJobChangeWhoseEventCouldNotBeSent_isSentByTheNextPass_notLostBehindItsWrite() throws Exception {
        TestTenant tenant = syncedTenant(3);
        SimulatedOrganization org = tenant.organization();
        String jobId = org.jobs().getFirst().get("id").asText();
        org.updateJobTitle(jobId, "Staff Platform Engineer");
        AwsFaults.plan().failNextCalls(AwsFaults.Service.SQS, "SendMessageBatch", aws.queueUrl("EventsQueue"), 1,
                AwsFaults.Kind.SERVER_ERROR);

        assertThat(poll().getList("failedTenants", String.class)).containsExactly(tenant.tenantId());
        assertThat(poll().getList("polledTenants", String.class)).containsExactly(tenant.tenantId());

        assertThat(events(tenant)).filteredOn(e -> e.path("type").asText().equals("job.upserted") && e.path("entityId").asText().equals(jobId))
                .extracting(e -> e.path("data").path("title").asText()).containsExactly("Staff Platform Engineer");
        assertThat(mirror.get(tenant.tenantId(), "JOB", jobId, MirrorStore.ITEM).orElseThrow().data().path("title").asText())
                .isEqualTo("Staff Platform Engineer");
    }

    @Test
    void noteAddedInAshby_withoutACandidateChange_reachesMirrorAndFindemOnTheNextFullPass() throws Exception {
        TestTenant tenant = syncedTenant(6);
        String candidateId = tenant.organization().candidates().get(0).get("id").asText();
        ObjectNode note = tenant.organization().addNote(candidateId, "Strong referral from the platform team");

        poll();
        work.drainWork(tenant.tenantId());
        assertThat(mirror.children(tenant.tenantId(), "CANDIDATE", candidateId, MirrorStore.NOTE))
                .as("an incremental pass sees no candidate change").noneMatch(n -> n.data().get("id").equals(note.get("id")));

        state.requestFullPass(tenant.tenantId(), "candidates");
        poll();
        work.drainWork(tenant.tenantId());

        assertMirrorEqualsAshby(tenant);
        JsonNode document = latestDocuments(events(tenant)).get(candidateId);
        assertThat(document).as("the candidate's document is sent again with the note").isNotNull();
        assertThat(document.path("data").path("notes").findValuesAsText("id")).contains(note.get("id").asText());
    }

    @Test
    void oneTenantFailing_doesNotStopAnother_inTheSamePass() throws Exception {
        TestTenant failing = seededTenant(4);
        TestTenant healthy = TestTenants.register(aws, simulator, tenants, 600_000);
        SeededTenantGenerator.seed(5).candidates(5).jobs(2).users(3).generate(healthy.organization());
        failing.organization().deactivateApiKey();

        JsonPath summary = poll();
        work.drainWork(healthy.tenantId());

        assertThat(summary.getList("failedTenants", String.class)).containsExactly(failing.tenantId());
        assertThat(summary.getList("polledTenants", String.class)).containsExactly(healthy.tenantId());
        assertMirrorEqualsAshby(healthy);
    }

    // ---- limits of the real services, and bad input (issue 18) ----------------------------------------------------

    @Test
    void aConfigRowThatCannotBeRead_isQuarantined_andEveryOtherTenantIsPolled() throws Exception {
        TestTenant healthy = seededTenant(3);
        String broken = "broken-" + UUID.randomUUID().toString().substring(0, 8);
        aws.dynamoDb().putItem(r -> r.tableName(aws.tableName("TenantsTable")).item(Map.of(
                "pk", AttributeValue.fromS(TenantStore.partitionKey(broken)), "sk", AttributeValue.fromS("CONFIG"),
                "status", AttributeValue.fromS("SLEEPING"))));

        JsonPath summary = poll();

        assertThat(summary.getList("polledTenants", String.class)).containsExactly(healthy.tenantId());
        assertThat(quarantine.list(broken)).singleElement().satisfies(item -> {
            assertThat(item.source()).isEqualTo(TenantStore.CONFIG_SOURCE);
            assertThat(item.reason()).contains("status").contains("SLEEPING");
        });
        assertThat(status.all().unreadableTenants()).as("on the status page").anySatisfy(u -> {
            assertThat(u.tenantId()).isEqualTo(broken);
            assertThat(u.reason()).contains("SLEEPING");
        });

        aws.dynamoDb().putItem(r -> r.tableName(aws.tableName("TenantsTable")).item(Map.of(
                "pk", AttributeValue.fromS(TenantStore.partitionKey(broken)), "sk", AttributeValue.fromS("CONFIG"),
                "status", AttributeValue.fromS("DISABLED"))));
        poll();
        assertThat(quarantine.list(broken)).as("a mended row is released").isEmpty();
    }

    @Test
    void aRecordWithAnUnparsableUpdatedAt_isQuarantined_andTheStreamDrainsWithoutDeletingIt() throws Exception {
        TestTenant tenant = seededTenant(8);
        SimulatedOrganization org = tenant.organization();
        String bad = org.candidates().get(3).get("id").asText();
        org.answerCandidateFieldVerbatim(bad, "updatedAt", "last Tuesday");

        JsonPath summary = poll();
        work.drainWork(tenant.tenantId());

        assertThat(summary.getList("polledTenants", String.class)).as("the stream drained").containsExactly(tenant.tenantId());
        Map<String, JsonNode> mirrored = live(tenant.tenantId(), "CANDIDATE");
        assertThat(mirrored.keySet()).as("every other candidate of the page").containsAll(
                candidateIds(org).stream().filter(id -> !id.equals(bad)).toList());
        assertThat(quarantine.list(tenant.tenantId())).singleElement().satisfies(item -> {
            assertThat(item.source()).isEqualTo("stream:candidates");
            assertThat(item.itemId()).isEqualTo(bad);
            assertThat(item.reason()).contains("updatedAt").contains("last Tuesday");
        });
        StatusReport.Tenant shown = status.tenant(tenant.tenantId());
        assertThat(shown.quarantined()).extracting(Quarantine.Item::itemId).containsExactly(bad);
        assertThat(shown.hints()).anySatisfy(hint -> assertThat(hint).contains("set aside"));

        org.answerCandidateFieldVerbatim(bad, "updatedAt", Instant.now().toString());
        state.requestFullPass(tenant.tenantId(), "candidates");
        poll();
        work.drainWork(tenant.tenantId());

        assertThat(quarantine.list(tenant.tenantId())).as("released once it parses").isEmpty();
        assertThat(live(tenant.tenantId(), "CANDIDATE")).containsKey(bad);
        assertThat(events(tenant)).noneMatch(e -> e.path("type").asText().equals("candidate.deleted"));
    }

    @Test
    void aCandidateWith500NotesAnd50Applications_isClaimChecked_andReachesFindemWhole() throws Exception {
        TestTenant tenant = seededTenant(1);
        SimulatedOrganization org = tenant.organization();
        String candidateId = org.candidates().getFirst().get("id").asText();
        String likeJob = org.jobs().getFirst().get("id").asText();
        for (int i = 0; i < 500; i++) {
            org.addNote(candidateId, "Call " + i + ": " + "discussed the platform team's roadmap, compensation and notice period. ".repeat(6));
        }
        int existing = (int) org.applications().stream().filter(a -> a.path("candidate").path("id").asText().equals(candidateId)).count();
        for (int i = existing; i < 50; i++) {
            org.addApplicationManually(candidateId, org.createJob("Role " + i, likeJob).get("id").asText());
        }

        poll();
        work.drainWork(tenant.tenantId());

        JsonNode document = latestDocuments(events(tenant)).get(candidateId);
        assertThat(document.path("data").isNull()).as("too large for one SQS message").isTrue();
        assertThat(document.path("dataRef").path("key").asText()).startsWith("claims/" + tenant.tenantId() + "/");
        JsonNode data = ClaimedEvents.withData(document).get("data");
        assertThat(data.path("notes").size()).isEqualTo(org.notes(candidateId).size()).isGreaterThanOrEqualTo(500);
        assertThat(data.path("applications").size()).isEqualTo(50);
        assertThat(data.path("candidate").path("id").asText()).isEqualTo(candidateId);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private TestTenant seededTenant(int candidates) {
        return PolledTenants.seeded(aws, simulator, tenants, candidates, 6, 8);
    }

    /** A seeded tenant after its first sync, its work run and its events taken off the queue. */
    private TestTenant syncedTenant(int candidates) throws Exception {
        TestTenant tenant = seededTenant(candidates);
        poll();
        work.drainWork(tenant.tenantId());
        events(tenant);
        return tenant;
    }

    private static JsonPath poll() {
        return JsonPath.from(LambdaInvoker.invoke(LambdaEvents.scheduled()));
    }

    /** Every outbound event for the tenant so far (removed from the queue). */
    private List<JsonNode> events(TestTenant tenant) throws Exception {
        return PolledTenants.events(aws, tenant);
    }

    private static Map<String, JsonNode> latestDocuments(List<JsonNode> events) {
        Map<String, JsonNode> documents = new HashMap<>();
        events.stream().filter(e -> e.path("type").asText().equals(CandidateDocuments.UPSERTED))
                .forEach(e -> documents.put(e.path("entityId").asText(), e));
        return documents;
    }

    private long calls(TestTenant tenant, String endpoint) {
        return simulator.requestLog(endpoint).stream().filter(r -> tenant.apiKey().equals(r.apiKey()) && r.httpStatus() == 200).count();
    }

    private static List<String> candidateIds(SimulatedOrganization org) {
        return org.candidates().stream().map(c -> c.get("id").asText()).toList();
    }

    private static Map<String, String> applicationVersions(SimulatedOrganization org) {
        return org.applications().stream().collect(Collectors.toMap(a -> a.get("id").asText(), a -> a.get("updatedAt").asText()));
    }

    private void assertMirrorEqualsAshby(TestTenant tenant) {
        String t = tenant.tenantId();
        SimulatedOrganization org = tenant.organization();
        Map<String, JsonNode> candidates = live(t, "CANDIDATE");
        assertThat(candidates.keySet()).containsExactlyInAnyOrderElementsOf(candidateIds(org));
        for (ObjectNode candidate : org.candidates()) {
            String id = candidate.get("id").asText();
            assertThat(canonical(candidates.get(id))).as("candidate %s", id).isEqualTo(canonical(candidate));
            Map<String, JsonNode> notes = mirror.children(t, "CANDIDATE", id, MirrorStore.NOTE).stream()
                    .collect(Collectors.toMap(n -> n.data().get("id").asText(), MirrorRow::data));
            Map<String, JsonNode> expectedNotes = org.notes(id).stream().collect(Collectors.toMap(n -> n.get("id").asText(), n -> n));
            assertThat(canonical(notes)).as("notes of %s", id).isEqualTo(canonical(expectedNotes));
            if (candidate.has("resumeFileHandle")) {
                String fileId = candidate.get("resumeFileHandle").get("id").asText();
                JsonNode file = mirror.get(t, "CANDIDATE", id, MirrorStore.FILE + fileId).orElseThrow().data();
                byte[] stored = s3.getObjectAsBytes(r -> r.bucket(file.get("bucket").asText()).key(file.get("key").asText())).asByteArray();
                byte[] original = org.files().stream().filter(f -> f.id().equals(fileId)).findFirst().orElseThrow().bytes();
                assertThat(stored).isEqualTo(original);
                assertThat(file.get("isResume").asBoolean()).isTrue();
            }
            if (candidate.has("primaryEmailAddress")) {
                assertThat(identity.candidateForEmail(t, candidate.get("primaryEmailAddress").get("value").asText())).contains(id);
            }
        }
        Map<String, JsonNode> applications = live(t, "APPLICATION");
        assertThat(applications.keySet()).containsExactlyInAnyOrderElementsOf(org.applications().stream().map(a -> a.get("id").asText()).toList());
        for (ObjectNode application : org.applications()) {
            String id = application.get("id").asText();
            JsonNode history = application.get("applicationHistory");
            ObjectNode withoutHistory = application.deepCopy();
            withoutHistory.remove("applicationHistory");
            assertThat(canonical(applications.get(id))).as("application %s", id).isEqualTo(canonical(withoutHistory));
            assertThat(canonical(mirror.get(t, "APPLICATION", id, MirrorStore.HISTORY).orElseThrow().data())).as("history of %s", id)
                    .isEqualTo(canonical(history));
        }
        assertSame(t, "JOB", org.jobs());
        assertSame(t, "USER", org.users());
        assertSame(t, "ARCHIVE_REASON", org.archiveReasons());
        assertSame(t, "SOURCE", org.sources());
        assertSame(t, "TAG", org.tags());
        assertSame(t, "CUSTOM_FIELD", org.customFieldDefinitions());
        assertSame(t, "LOCATION", org.locations());
    }

    private void assertSame(String tenantId, String type, List<ObjectNode> expected) {
        Map<String, JsonNode> mirrored = live(tenantId, type);
        assertThat(mirrored.keySet()).as(type).containsExactlyInAnyOrderElementsOf(expected.stream().map(e -> e.get("id").asText()).toList());
        expected.forEach(e -> assertThat(canonical(mirrored.get(e.get("id").asText()))).as("%s %s", type, e.get("id")).isEqualTo(canonical(e)));
    }

    /**
     * The same JSON read the same way: numbers compare by value, and a null field equals an absent one (the client's
     * mapper drops explicit nulls; Ashby's optional fields mean the same either way).
     */
    private static JsonNode canonical(Object value) {
        try {
            return withoutNulls(JSON.readTree(JSON.writeValueAsString(value)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> nulls = new ArrayList<>();
            object.properties().forEach(p -> {
                if (p.getValue().isNull()) nulls.add(p.getKey());
                else withoutNulls(p.getValue());
            });
            object.remove(nulls);
        } else if (node.isArray()) {
            node.forEach(PollerHandlerTest::withoutNulls);
        }
        return node;
    }

    private Map<String, JsonNode> live(String tenantId, String type) {
        return mirror.all(tenantId, type).stream().filter(r -> !r.deleted())
                .collect(Collectors.toMap(MirrorRow::entityId, MirrorRow::data));
    }
}
