package io.ashbysync.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.MutableClock;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.mirror.CandidateRemovals;
import io.ashbysync.mirror.MirrorRow;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.mirror.MirroredRecords;
import io.ashbysync.mirror.Outbox;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.AwsFaults;
import io.ashbysync.testing.AwsFaults.Kind;
import io.ashbysync.testing.AwsFaults.Service;
import io.ashbysync.testing.ClaimedEvents;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.FindemConsumer;
import io.ashbysync.testing.InProcessCommands;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.LambdaInvoker;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Nothing lost, nothing falsely deleted, nothing taken back at Findem: the poller's pipeline (incremental pass, full
 * pass with reconciliation, the details work it fans out) with an AWS fault at each call site on its path, compared
 * with the same scenario run without faults. Findem's side is {@link FindemConsumer}, which applies events by the
 * README's rule (newest revision wins), in whatever order they come.
 */
@QuarkusTest
@TestProfile(PollerHandlerTest.PollerProfile.class)
class MirrorIntegrityFaultTest {
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
    CandidateRemovals removals;
    @Inject
    MirroredRecords records;
    @Inject
    Outbox outbox;
    @Inject
    S3Client s3;
    @Inject
    PollerConfig config;

    private CommandHarness work;

    @BeforeEach
    void setUp() {
        work = new CommandHarness(aws, InProcessCommands::invoke);
        PolledTenants.ensureBucket(s3, config.filesBucket());
        simulator.faults().clear();
        AwsFaults.plan().clear();
    }

    @AfterEach
    void clearFaults() {
        AwsFaults.plan().clear();
    }

    // ---- the three defects of issue 19 -------------------------------------------------------------------------------

    @Test
    void aCandidateWronglyTombstoned_isRestoredByTheNextFullPass_andFindemShowsItAgain() throws Exception {
        TestTenant tenant = syncedTenant(4);
        String candidateId = tenant.organization().candidates().getFirst().get("id").asText();
        // a removal Ashby does not back: a stale candidateDelete, or a reconciliation that misread absence
        removals.remove(tenant.tenantId(), candidateId, null, Instant.now().plus(Duration.ofDays(30)));
        List<JsonNode> events = new ArrayList<>(events(tenant));

        state.requestFullPass(tenant.tenantId(), "candidates");
        pollUntilDone(tenant);
        events.addAll(events(tenant));

        assertThat(mirror.get(tenant.tenantId(), "CANDIDATE", candidateId, MirrorStore.ITEM).orElseThrow().deleted())
                .as("Ashby lists it again, after the tombstone: the tombstone is lifted").isFalse();
        FindemConsumer findem = new FindemConsumer().apply(events);
        assertThat(findem.live("candidate", candidateId)).as("the document re-sent outranks the delete").isPresent();
        assertThat(identity.identity(tenant.tenantId(), candidateId)).isPresent();
    }

    @Test
    void eventsArrivingInAnyOrder_leaveFindemWhereAshbyIs_deletesAndRecordsThatChangeBackIncluded() throws Exception {
        TestTenant tenant = syncedTenant(4);
        SimulatedOrganization org = tenant.organization();
        String deletedId = org.candidates().get(1).get("id").asText();
        String jobId = org.jobs().getFirst().get("id").asText();
        String title = org.jobs().getFirst().get("title").asText();
        List<JsonNode> events = new ArrayList<>();
        for (String next : List.of("Interim title", title)) {
            org.updateJobTitle(jobId, next);
            pollUntilDone(tenant);
            events.addAll(events(tenant));
        }
        org.deleteCandidate(deletedId);
        state.requestFullPass(tenant.tenantId(), "candidates");
        pollUntilDone(tenant);
        events.addAll(events(tenant));

        List<JsonNode> newestFirst = new ArrayList<>(events);
        java.util.Collections.reverse(newestFirst);
        FindemConsumer findem = new FindemConsumer().apply(newestFirst);

        assertThat(findem.live("candidate", deletedId)).as("its older document, arriving after the delete, is dropped").isEmpty();
        assertThat(findem.live("job", jobId).orElseThrow().path("data").path("title").asText())
                .as("a title changed and changed back is back at Findem").isEqualTo(title);
        assertThat(events).filteredOn(e -> e.path("entityId").asText().equals(jobId)).extracting(e -> e.path("eventId").asText())
                .as("the same content twice is two changes, two events").doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void aCandidateChangeWhoseDetailsWorkCouldNotBeQueued_reachesFindemOnTheNextPoll_notLostBehindItsWrite() throws Exception {
        TestTenant tenant = syncedTenant(4);
        SimulatedOrganization org = tenant.organization();
        ObjectNode application = org.applications().getFirst();
        String stage = otherStage(org, application);
        org.moveStage(application.get("id").asText(), stage, null);
        // SQS refuses every attempt of the next send to the work queue: the candidate's details work
        AwsFaults.plan().failNextCalls(Service.SQS, "SendMessageBatch", aws.queueUrl("WorkQueue"), 1, Kind.SERVER_ERROR);

        pollUntilDone(tenant);

        assertThat(AwsFaults.plan().injected().count(Service.SQS, "SendMessageBatch", aws.queueUrl("WorkQueue"))).isPositive();
        JsonNode document = new FindemConsumer().apply(events(tenant))
                .live("candidate", application.path("candidate").path("id").asText()).orElseThrow();
        assertThat(document.path("data").path("applications")).filteredOn(a -> a.path("id").equals(application.get("id")))
                .extracting(a -> a.path("currentInterviewStage").path("id").asText()).containsExactly(stage);
    }

    /** A stage of the application's job's plan other than the one it is in. */
    private static String otherStage(SimulatedOrganization org, ObjectNode application) {
        String jobId = application.path("job").path("id").asText();
        String planId = org.jobs().stream().filter(j -> j.get("id").asText().equals(jobId)).findFirst().orElseThrow()
                .get("defaultInterviewPlanId").asText();
        return org.interviewStages(planId).stream().map(s -> s.get("id").asText())
                .filter(s -> !s.equals(application.path("currentInterviewStage").path("id").asText())).findFirst().orElseThrow();
    }

    @Test
    void aChangeWhoseWriterDiedBeforeTellingFindem_isSentByThePollersSweep() throws Exception {
        TestTenant tenant = syncedTenant(2);
        ObjectNode job = tenant.organization().jobs().getFirst().deepCopy();
        job.put("title", "Written, never told");
        AwsFaults.plan().failNextCalls(Service.SQS, "SendMessageBatch", aws.queueUrl("EventsQueue"), 1, Kind.SERVER_ERROR);
        // a webhook's writer: the row is written, its event refused, and the delivery is never retried (say it died)
        try {
            records.upsert(tenant.tenantId(), "JOB", "job", job, Instant.now());
        } catch (RuntimeException refused) {
            // as a dead writer leaves it
        }
        assertThat(unsentRows(tenant)).as("the change is durable with its marker").hasSize(1);
        AwsFaults.plan().clear();
        MutableClock later = new MutableClock(Instant.now().plus(config.unsentGrace()).plusSeconds(1));

        int sent = outbox.sweep(tenant.tenantId(), later.instant());

        assertThat(sent).isEqualTo(1);
        assertThat(new FindemConsumer().apply(events(tenant)).live("job", job.get("id").asText()).orElseThrow()
                .path("data").path("title").asText()).isEqualTo("Written, never told");
        assertThat(unsentRows(tenant)).isEmpty();
    }

    // ---- the matrix --------------------------------------------------------------------------------------------------

    /** One fault at one call site of the poller's path, for {@link #aFaultAnywhereOnThePollersPath_changesNothingFindemEndsUpWith}. */
    /** {@code recorded}: the fault layer lists the fault among its injections (failures do; conflicts and lag do not). */
    record Site(String name, Consumer<MirrorIntegrityFaultTest> inject, Service service, String operation, String logicalId,
                boolean recorded) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> sites() {
        return Stream.of(
                site("mirror page read fails", Service.DYNAMODB, "BatchGetItem", "MirrorTable", Kind.SERVER_ERROR),
                site("mirror page write fails", Service.DYNAMODB, "TransactWriteItems", "MirrorTable", Kind.THROTTLING),
                lostAnswer("mirror page write applied, answer lost", Service.DYNAMODB, "TransactWriteItems", "MirrorTable"),
                site("mirror row update fails (tombstone, marker)", Service.DYNAMODB, "UpdateItem", "MirrorTable", Kind.SERVER_ERROR),
                lostAnswer("mirror row update applied, answer lost", Service.DYNAMODB, "UpdateItem", "MirrorTable"),
                site("mirror consistent read fails (reconciliation)", Service.DYNAMODB, "GetItem", "MirrorTable", Kind.TIMEOUT),
                site("mirror query fails (presence, candidate rows)", Service.DYNAMODB, "Query", "MirrorTable", Kind.CONNECTION_RESET),
                site("cursor save fails", Service.DYNAMODB, "UpdateItem", "TenantsTable", Kind.SERVER_ERROR),
                site("identity write fails", Service.DYNAMODB, "BatchWriteItem", "IdentityTable", Kind.THROTTLING),
                site("event send fails", Service.SQS, "SendMessageBatch", "EventsQueue", Kind.SERVER_ERROR),
                lostAnswer("event sent, answer lost", Service.SQS, "SendMessageBatch", "EventsQueue"),
                site("work send fails", Service.SQS, "SendMessageBatch", "WorkQueue", Kind.SERVER_ERROR),
                Arguments.of(new Site("mirror transactions conflict", t -> AwsFaults.plan().cancelNextTransactions(
                        t.aws.tableName("MirrorTable"), 3), Service.DYNAMODB, "TransactWriteItems", "MirrorTable", false)),
                Arguments.of(new Site("indexes lag the table by 5 minutes", t -> AwsFaults.plan().clock(new MutableClock(Instant.now()))
                        .lagIndexes(Duration.ofMinutes(5)), Service.DYNAMODB, "Query", "MirrorTable", false)));
    }

    private static Arguments site(String name, Service service, String operation, String logicalId, Kind kind) {
        return Arguments.of(new Site(name, t -> AwsFaults.plan().failNextCalls(service, operation, t.target(service, logicalId), 1, kind),
                service, operation, logicalId, true));
    }

    private static Arguments lostAnswer(String name, Service service, String operation, String logicalId) {
        return Arguments.of(new Site(name, t -> AwsFaults.plan().failNextAfterApplying(service, operation, t.target(service, logicalId), 1,
                Kind.TIMEOUT), service, operation, logicalId, true));
    }

    /**
     * The scenario: Ashby changes (an application moved, a job retitled, a candidate deleted,
     * two merged) and the next run is a full pass with reconciliation. Run once without faults and once with the
     * site's fault armed as the run starts, the poller re-run as its schedule would until it succeeds, the work
     * redelivered as SQS would; then compared.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sites")
    void aFaultAnywhereOnThePollersPath_changesNothingFindemEndsUpWith(Site site) throws Exception {
        Outcome faultFree = runScenario(null);
        Outcome faulted = runScenario(site);

        assertThat(faulted.attemptsAtSite()).as("the site is on the path").isPositive();
        if (site.recorded()) assertThat(faulted.injected()).as("the fault was injected").isPositive();
        assertThat(differences(faultFree.mirror(), faulted.mirror())).as("mirror rows that differ").isEmpty();
        assertThat(differences(faultFree.findem(), faulted.findem())).as("what Findem shows that differs").isEmpty();
        assertThat(faulted.eventContents()).as("every event of the fault-free run, at least once").containsAll(faultFree.eventContents());
        assertThat(faultFree.eventContents()).as("and none it did not send").containsAll(faulted.eventContents());
        assertThat(faulted.falseDeletes()).as("no live candidate ever deleted").isEmpty();
        assertThat(faulted.unsent()).as("nothing left untold").isEmpty();
        assertThat(faulted.identityIds()).as("identity index").isEqualTo(faultFree.identityIds());
    }

    /** What a run ends with, tenant ids and timestamps taken out so that two tenants' runs compare. */
    record Outcome(Map<String, String> mirror, Map<String, String> findem, Set<String> eventContents, List<String> falseDeletes,
                   List<String> unsent, Set<String> identityIds, long attemptsAtSite, int injected) {}

    private Outcome runScenario(Site site) throws Exception {
        TestTenant tenant = syncedTenant(5);
        SimulatedOrganization org = tenant.organization();
        ObjectNode application = org.applications().getFirst();
        String changed = application.path("candidate").path("id").asText();
        List<String> others = org.candidates().stream().map(c -> c.get("id").asText()).filter(id -> !id.equals(changed)).toList();
        String deleted = others.get(0);
        String mergedAway = others.get(1);
        String survivor = others.get(2);
        String jobId = org.jobs().getFirst().get("id").asText();
        org.updateJobTitle(jobId, "Retitled Job");
        org.moveStage(application.get("id").asText(), otherStage(org, application), null);
        org.deleteCandidate(deleted);
        org.mergeCandidates(mergedAway, survivor);
        state.requestFullPass(tenant.tenantId(), "candidates");
        state.requestFullPass(tenant.tenantId(), "applications");
        AwsFaults.plan().clear();
        if (site != null) site.inject().accept(this);

        pollUntilDone(tenant);

        long attempts = site == null ? 0 : AwsFaults.plan().attempts(site.service(), site.operation(), target(site.service(), site.logicalId()));
        int injected = AwsFaults.plan().injected().total();
        AwsFaults.plan().clear();
        List<JsonNode> events = events(tenant);
        Set<String> live = new TreeSet<>(org.candidates().stream().map(c -> c.get("id").asText()).toList());
        FindemConsumer findem = new FindemConsumer().apply(events);
        Map<String, String> shown = new HashMap<>();
        for (String type : List.of("candidate", "job")) {
            findem.liveIds(type).forEach(id -> shown.put(type + "/" + id, canonical(tenant, findem.live(type, id).orElseThrow().get("data"))));
        }
        findem.held("candidate", deleted).ifPresent(h -> shown.put("candidate/" + deleted, h.event().path("type").asText()));
        findem.held("candidate", mergedAway).ifPresent(h -> shown.put("candidate/" + mergedAway, h.event().path("type").asText()));
        return new Outcome(mirrorRows(tenant), shown,
                events.stream().map(e -> e.path("type").asText() + " " + e.path("entityId").asText() + " " + canonical(tenant, e.get("data")))
                        .collect(java.util.stream.Collectors.toCollection(TreeSet::new)),
                events.stream().filter(e -> e.path("type").asText().equals("candidate.deleted") && live.contains(e.path("entityId").asText()))
                        .map(e -> e.path("entityId").asText()).toList(),
                unsentRows(tenant), identityIds(tenant, org), attempts, injected);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** Per key present in either map and not equal: "fault-free ≠ faulted". */
    private static Map<String, String> differences(Map<String, String> faultFree, Map<String, String> faulted) {
        Map<String, String> differ = new java.util.TreeMap<>();
        Set<String> keys = new TreeSet<>(faultFree.keySet());
        keys.addAll(faulted.keySet());
        for (String key : keys) {
            String a = faultFree.get(key);
            String b = faulted.get(key);
            if (java.util.Objects.equals(a, b)) continue;
            int at = 0;
            while (a != null && b != null && at < Math.min(a.length(), b.length()) && a.charAt(at) == b.charAt(at)) at++;
            int from = Math.max(0, at - 80);
            differ.put(key, a == null || b == null ? a + " ≠ " + b
                    : "…" + a.substring(from, Math.min(a.length(), at + 120)) + "\n  ≠ …" + b.substring(from, Math.min(b.length(), at + 120)));
        }
        return differ;
    }

    private String target(Service service, String logicalId) {
        return service == Service.SQS ? aws.queueUrl(logicalId) : aws.tableName(logicalId);
    }

    /** JSON with what differs between two organizations seeded alike (tenant id, API key user, timestamps) taken out. */
    private static String canonical(TestTenant tenant, JsonNode data) {
        JsonNode copy = data.deepCopy();
        strip(copy);
        return copy.toString().replace(tenant.tenantId(), "<tenant>").replace(tenant.organization().apiKeyUserId(), "<api-key-user>");
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            // a stage history entry a test's move made has an id of its own in each organization
            if (object.has("stageId")) object.remove("id");
            object.remove(List.of("documentHash", "updatedAt", "createdAt", "enteredStageAt", "leftStageAt", "archivedAt", "hiredAt",
                    "sha256", "key"));
        }
        node.forEach(MirrorIntegrityFaultTest::strip);
    }

    /** The tenant's live mirror rows, canonical, by type and id (tombstones as "deleted"). */
    private Map<String, String> mirrorRows(TestTenant tenant) {
        Map<String, String> rows = new HashMap<>();
        for (String type : List.of("CANDIDATE", "APPLICATION", "JOB")) {
            for (MirrorRow row : mirror.all(tenant.tenantId(), type)) {
                rows.put(type + "/" + row.entityId(), row.deleted() ? "deleted" : canonical(tenant, row.data()));
            }
        }
        return rows;
    }

    private Set<String> identityIds(TestTenant tenant, SimulatedOrganization org) {
        Set<String> ids = new TreeSet<>();
        for (ObjectNode c : org.candidates()) identity.identity(tenant.tenantId(), c.get("id").asText()).ifPresent(i -> ids.add(c.get("id").asText()));
        return ids;
    }

    /** The keys of the tenant's rows still marked unsent. */
    private List<String> unsentRows(TestTenant tenant) {
        List<String> rows = new ArrayList<>();
        aws.dynamoDb().scanPaginator(r -> r.tableName(aws.tableName("MirrorTable")).consistentRead(true)
                        .filterExpression("begins_with(pk, :tenant) AND attribute_exists(" + Outbox.UNSENT_AT + ")")
                        .expressionAttributeValues(Map.of(":tenant", AttributeValue.fromS("TENANT#" + tenant.tenantId() + "#"))))
                .items().forEach(item -> rows.add(item.get("pk").s() + "/" + item.get("sk").s()));
        return rows;
    }

    private TestTenant syncedTenant(int candidates) throws Exception {
        TestTenant tenant = PolledTenants.seeded(aws, simulator, tenants, candidates, 3, 4);
        pollUntilDone(tenant);
        events(tenant);
        return tenant;
    }

    /** Polls as the schedule would until a run succeeds for the tenant, then runs its work as SQS would deliver it. */
    private void pollUntilDone(TestTenant tenant) {
        for (int run = 1; ; run++) {
            JsonPath result = JsonPath.from(LambdaInvoker.invoke(LambdaEvents.scheduled()));
            if (result.getList("polledTenants", String.class).contains(tenant.tenantId())) break;
            if (run == 5) throw new AssertionError("the tenant's poll kept failing: " + result.prettify());
        }
        work.drainWork(tenant.tenantId());
    }

    /** The tenant's events so far, taken off the queue, claim-checked data read back. */
    private List<JsonNode> events(TestTenant tenant) throws Exception {
        return PolledTenants.events(aws, tenant).stream().map(e -> e.hasNonNull("dataRef") ? ClaimedEvents.withData(e) : e).toList();
    }
}
