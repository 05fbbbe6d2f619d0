package io.ashbysync.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.ashby.simulator.WebhookSender.Delivery;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.mirror.MirrorRow;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.InProcessCommands;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaHttpBridge;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ashby's webhooks end to end: the simulator signs and POSTs real deliveries over HTTP to the `http` function (through
 * a loopback API Gateway bridge and Quarkus' Lambda event server); the work queue is then drained through the
 * `commands` handler, and the mirror, the identity index and the events to Findem are checked.
 */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
class WebhookDeliveryTest {
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(20);
    /** Types webhook.create accepts; jobCreate and jobUpdate are configured in Ashby's admin UI instead. */
    private static final List<String> API_TYPES = List.of("applicationSubmit", "applicationUpdate", "candidateStageChange",
            "candidateHire", "candidateDelete", "candidateMerge", "jobPostingPublish", "jobPostingUnpublish",
            "jobPostingUpdate", "interviewPlanTransition");
    private static final List<String> UI_TYPES = List.of("jobCreate", "jobUpdate");

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    Quarantine quarantine;
    @Inject
    AshbyClient ashby;
    @Inject
    MirrorStore mirror;
    @Inject
    IdentityIndex identity;

    private TestTenant tenant;
    private SimulatedOrganization org;
    private SeededTenantGenerator.SeededTenant seeded;
    private LambdaHttpBridge bridge;
    private CommandHarness harness;
    private final String secret = "whsec-" + UUID.randomUUID();
    private final Set<String> hookIds = new HashSet<>();
    private final Map<String, String> hookIdByType = new HashMap<>();

    @BeforeEach
    void subscribeATenant() {
        tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        org = tenant.organization();
        seeded = SeededTenantGenerator.seed(7).candidates(30).generate(org);
        TestTenants.storeWebhookSecret(aws, tenant.tenantId(), secret);
        bridge = LambdaHttpBridge.start(WebhookRoute.ROUTE_KEY);
        harness = new CommandHarness(aws, InProcessCommands::invoke);
        harness.drain();
        // a signed ping first: it warms the function, whose first answer can take longer than the Ashby client waits
        // for webhook.create (which pings before it answers)
        assertThat(post("{\"webhookActionId\":\"warm-up\",\"action\":\"ping\",\"data\":{\"webhookActionType\":\"ping\"}}"
                .getBytes(StandardCharsets.UTF_8), secret)).isEqualTo(200);
        for (String type : API_TYPES) {
            JsonNode hook = ashby.forTenant(tenant.config()).call(AshbyEndpoint.WEBHOOK_CREATE,
                    Map.of("webhookType", type, "requestUrl", webhookUrl(), "secretToken", secret), JsonNode.class);
            assertThat(hook.path("enabled").asBoolean()).as("ping of " + type + " answered 200: " + simulator.webhookSender().deliveries().getLast()).isTrue();
            hookIds.add(hook.path("id").asText());
            hookIdByType.put(type, hook.path("id").asText());
        }
        for (String type : UI_TYPES) {
            ObjectNode hook = org.addWebhookInUi(type, webhookUrl(), secret);
            assertThat(hook.path("enabled").asBoolean()).isTrue();
            hookIds.add(hook.path("id").asText());
        }
    }

    @AfterEach
    void stopBridge() {
        bridge.close();
    }

    private String webhookUrl() {
        return bridge.url("/webhooks/ashby/" + tenant.tenantId()).toString();
    }

    // ---- applications ---------------------------------------------------------------------------------------------

    @Test
    void stageChange_refreshesTheApplicationAndCandidateOnce_forBothRelatedWebhooks() {
        JsonNode app = activeApplication();
        String candidateId = app.path("candidate").path("id").asText();
        String target = otherActiveStage(app);

        org.moveStage(app.path("id").asText(), target, null);
        List<Delivery> delivered = awaitAccepted(d -> !d.action().equals("ping"), 2);
        harness.drain();

        assertThat(delivered).extracting(Delivery::action).containsExactlyInAnyOrder("candidateStageChange", "applicationUpdate");
        assertThat(delivered).extracting(Delivery::webhookActionId).containsOnly(delivered.getFirst().webhookActionId());
        assertThat(infoCalls("application.info", app.path("id").asText())).as("one refresh serves both").isEqualTo(1);
        assertThat(row("APPLICATION", app.path("id").asText()).data().path("currentInterviewStage").path("id").asText()).isEqualTo(target);
        JsonNode document = single(events("candidate.upserted", candidateId)).path("data");
        assertThat(document.path("applications").findValuesAsText("id")).contains(app.path("id").asText());
        JsonNode mirrored = findById(document.path("applications"), app.path("id").asText());
        assertThat(mirrored.path("currentInterviewStage").path("id").asText()).isEqualTo(target);
        assertThat(mirrored.path("applicationHistory").findValuesAsText("stageId")).contains(target);
        assertThat(identity.identity(tenant.tenantId(), candidateId)).isPresent();
    }

    @Test
    void aChangeWhoseRecordAshbyAnswersMalformed_isQuarantined_notRetriedUntilTheDeadLetterQueue() {
        JsonNode app = activeApplication();
        String candidateId = app.path("candidate").path("id").asText();
        org.answerCandidateFieldVerbatim(candidateId, "updatedAt", "soon");

        org.moveStage(app.path("id").asText(), otherActiveStage(app), null);
        awaitAccepted(d -> !d.action().equals("ping"), 2);
        harness.drain();

        String workDeadLetters = aws.queueUrl("WorkDeadLetterQueue");
        assertThat(aws.sqs().receiveMessage(r -> r.queueUrl(workDeadLetters).maxNumberOfMessages(10).visibilityTimeout(0)).messages())
                .as("nothing retried until the dead-letter queue").isEmpty();
        assertThat(quarantine.list(tenant.tenantId())).anySatisfy(item -> {
            assertThat(item.source()).startsWith("webhook:");
            assertThat(item.itemId()).isEqualTo(candidateId);
            assertThat(item.reason()).contains("updatedAt").contains("soon");
        });
    }

    @Test
    void hire_firesThreeRelatedWebhooks_processedOnce() {
        JsonNode app = activeApplication();
        String candidateId = app.path("candidate").path("id").asText();

        org.hire(app.path("id").asText());
        List<Delivery> delivered = awaitAccepted(d -> !d.action().equals("ping"), 3);
        harness.drain();

        assertThat(delivered).extracting(Delivery::action)
                .containsExactlyInAnyOrder("candidateHire", "candidateStageChange", "applicationUpdate");
        assertThat(infoCalls("application.info", app.path("id").asText())).isEqualTo(1);
        assertThat(infoCalls("candidate.info", candidateId)).isEqualTo(1);
        assertThat(row("APPLICATION", app.path("id").asText()).data().path("status").asText()).isEqualTo("Hired");
        assertThat(single(events("candidate.upserted", candidateId)).path("data").path("applications")
                .findValuesAsText("status")).contains("Hired");
    }

    @Test
    void aRetriedDelivery_whoseFirstAnswerWasLost_isProcessedOnce() {
        String candidateId = seeded.candidateIds().get(3);
        String jobId = openJob().path("id").asText();
        bridge.loseNextAnswers(1);

        ObjectNode app = org.addApplicationManually(candidateId, jobId);
        List<Delivery> attempts = awaitAccepted(d -> d.action().equals("applicationSubmit"), 1);
        harness.drain();

        List<Delivery> all = deliveries(d -> d.action().equals("applicationSubmit"));
        assertThat(all).extracting(Delivery::attempt).containsExactly(1, 2);
        assertThat(all).extracting(Delivery::status).containsExactly(504, 200);
        assertThat(all).extracting(Delivery::webhookActionId).containsOnly(attempts.getFirst().webhookActionId());
        assertThat(infoCalls("application.info", app.path("id").asText())).as("stored twice, processed once").isEqualTo(1);
        assertThat(row("APPLICATION", app.path("id").asText()).data().path("candidate").path("id").asText()).isEqualTo(candidateId);
        assertThat(single(events("candidate.upserted", candidateId)).path("data").path("applications")
                .findValuesAsText("id")).contains(app.path("id").asText());
    }

    // ---- deletes and merges ---------------------------------------------------------------------------------------

    @Test
    void candidateDelete_tombstonesTheMirror_cleansTheIdentityIndex_andTellsFindem() {
        JsonNode app = activeApplication();
        String candidateId = app.path("candidate").path("id").asText();
        String email = org.candidate(candidateId).path("primaryEmailAddress").path("value").asText();
        mirrorByStageChange(app);
        identity.link(tenant.tenantId(), candidateId, "fp-deleted-" + candidateId, List.of(), List.of());
        assertThat(identity.candidateForEmail(tenant.tenantId(), email)).contains(candidateId);

        org.deleteCandidate(candidateId);
        awaitAccepted(d -> d.action().equals("candidateDelete"), 1);
        harness.drain();

        assertThat(row("CANDIDATE", candidateId).deleted()).isTrue();
        assertThat(identity.identity(tenant.tenantId(), candidateId)).isEmpty();
        assertThat(identity.candidateForEmail(tenant.tenantId(), email)).isEmpty();
        assertThat(identity.candidateForProfile(tenant.tenantId(), "fp-deleted-" + candidateId)).isEmpty();
        assertThat(single(events("candidate.deleted", candidateId)).path("data").path("candidateId").asText()).isEqualTo(candidateId);
    }

    @Test
    void candidateMerge_repointsIdentityAndMirrorToTheSurvivor_andTellsFindem() {
        List<JsonNode> apps = activeApplicationsOfTwoCandidates();
        String deletedId = apps.get(0).path("candidate").path("id").asText();
        String survivorId = apps.get(1).path("candidate").path("id").asText();
        String movedApplicationId = apps.get(0).path("id").asText();
        String deletedEmail = org.candidate(deletedId).path("primaryEmailAddress").path("value").asText();
        mirrorByStageChange(apps.get(0));
        mirrorByStageChange(apps.get(1));
        identity.link(tenant.tenantId(), deletedId, "fp-merged-" + deletedId, List.of(), List.of());

        org.mergeCandidates(deletedId, survivorId);
        awaitAccepted(d -> d.action().equals("candidateMerge"), 1);
        harness.drain();

        assertThat(row("CANDIDATE", deletedId).deleted()).isTrue();
        assertThat(row("APPLICATION", movedApplicationId).data().path("candidate").path("id").asText()).isEqualTo(survivorId);
        assertThat(texts(row("CANDIDATE", survivorId).data().path("applicationIds"))).contains(movedApplicationId);
        assertThat(identity.candidateForProfile(tenant.tenantId(), "fp-merged-" + deletedId)).contains(survivorId);
        assertThat(identity.candidateForEmail(tenant.tenantId(), deletedEmail)).contains(survivorId);
        assertThat(identity.identity(tenant.tenantId(), deletedId)).isEmpty();
        JsonNode merged = single(events("candidate.merged", deletedId)).path("data");
        assertThat(merged.path("mergedIntoCandidateId").asText()).isEqualTo(survivorId);
        // the survivor's profile now carries the merged-away person's Findem id and the application it took over
        assertThat(events("candidate.upserted", survivorId)).anySatisfy(event -> {
            assertThat(event.path("data").path("findemProfileId").asText()).isEqualTo("fp-merged-" + deletedId);
            assertThat(event.path("data").path("applications").findValuesAsText("id")).contains(movedApplicationId);
        });
    }

    // ---- jobs -----------------------------------------------------------------------------------------------------

    @Test
    void postingPublishAndUnpublish_updateThePostingOnce_andAnOlderPayloadNeverOverwritesANewerOne() throws Exception {
        JsonNode posting = org.jobPostings().getFirst();
        String postingId = posting.path("id").asText();

        org.unpublishJobPosting(postingId);
        awaitAccepted(d -> d.action().startsWith("jobPosting"), 2);
        harness.drain();
        org.publishJobPosting(postingId);
        List<Delivery> published = awaitAccepted(d -> d.action().equals("jobPostingPublish"), 1);
        awaitAccepted(d -> d.action().equals("jobPostingUpdate"), 2);
        harness.drain();
        org.unpublishJobPosting(postingId);
        awaitAccepted(d -> d.action().equals("jobPostingUnpublish"), 2);
        harness.drain();

        assertThat(row("JOB_POSTING", postingId).data().path("isListed").asBoolean()).isFalse();
        assertThat(events("jobPosting.upserted", postingId)).extracting(e -> e.path("data").path("isListed").asBoolean())
                .containsExactly(false, true, false);

        // the publish delivery again, as if Ashby's retry arrived after the newer change (a fresh id, signed)
        ObjectNode late = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(published.getFirst().body());
        late.put("webhookActionId", UUID.randomUUID().toString());
        assertThat(post(late.toString().getBytes(StandardCharsets.UTF_8), secret)).isEqualTo(200);
        harness.drain();
        assertThat(row("JOB_POSTING", postingId).data().path("isListed").asBoolean()).isFalse();
        assertThat(events("jobPosting.upserted", postingId)).hasSize(3);
    }

    @Test
    void interviewPlanTransition_andItsRelatedJobUpdate_refreshTheJobOnce() {
        JsonNode job = openJob();
        String jobId = job.path("id").asText();
        String toPlan = seeded.interviewPlanIds().stream()
                .filter(p -> !p.equals(job.path("defaultInterviewPlanId").asText())).findFirst().orElseThrow();

        org.transitionInterviewPlan(jobId, toPlan);
        List<Delivery> delivered = awaitAccepted(d -> d.action().equals("interviewPlanTransition") || d.action().equals("jobUpdate"), 2);
        harness.drain();

        assertThat(delivered).extracting(Delivery::webhookActionId).containsOnly(delivered.getFirst().webhookActionId());
        assertThat(infoCalls("job.info", jobId)).isEqualTo(1);
        assertThat(row("JOB", jobId).data().path("defaultInterviewPlanId").asText()).isEqualTo(toPlan);
        assertThat(single(events("job.upserted", jobId)).path("data").path("defaultInterviewPlanId").asText()).isEqualTo(toPlan);
        for (JsonNode stage : org.interviewStages(toPlan)) {
            assertThat(mirror.get(tenant.tenantId(), "INTERVIEW_STAGE", stage.path("id").asText(), MirrorStore.ITEM)).isPresent();
        }
    }

    @Test
    void jobCreateAndJobUpdate_configuredInTheUi_mirrorTheJob() {
        JsonNode created = org.createJob("Staff Webhook Engineer", openJob().path("id").asText());
        String jobId = created.path("id").asText();
        awaitAccepted(d -> d.action().equals("jobCreate"), 1);
        harness.drain();
        assertThat(row("JOB", jobId).data().path("title").asText()).isEqualTo("Staff Webhook Engineer");

        org.updateJobTitle(jobId, "Principal Webhook Engineer");
        awaitAccepted(d -> d.action().equals("jobUpdate"), 1);
        harness.drain();

        assertThat(row("JOB", jobId).data().path("title").asText()).isEqualTo("Principal Webhook Engineer");
        assertThat(events("job.upserted", jobId)).extracting(e -> e.path("data").path("title").asText())
                .containsExactly("Staff Webhook Engineer", "Principal Webhook Engineer");
    }

    // ---- forgeries ------------------------------------------------------------------------------------------------

    @Test
    void forgedSignatureAndAnotherTenantsSecret_areRejected401_andNothingIsStored() {
        JsonNode app = activeApplication();
        String candidateId = app.path("candidate").path("id").asText();
        mirrorByStageChange(app);
        TestTenant other = TestTenants.register(aws, simulator, tenants, 60_000);
        String otherSecret = "whsec-other-" + UUID.randomUUID();
        TestTenants.storeWebhookSecret(aws, other.tenantId(), otherSecret);
        // Ashby itself never delivers under another secret: the ping of such a subscription fails and it stays disabled
        assertThat(org.addWebhookInUi("candidateDelete", webhookUrl(), otherSecret).path("enabled").asBoolean()).isFalse();
        byte[] delete = ("{\"webhookActionId\":\"" + UUID.randomUUID() + "\",\"action\":\"candidateDelete\","
                + "\"data\":{\"candidate\":{\"id\":\"" + candidateId + "\"}}}").getBytes(StandardCharsets.UTF_8);

        assertThat(post(delete, "forged-" + UUID.randomUUID())).isEqualTo(401);
        assertThat(post(delete, otherSecret)).isEqualTo(401);
        harness.drain();

        assertThat(row("CANDIDATE", candidateId).deleted()).as("nothing was stored, so nothing was removed").isFalse();
        assertThat(events("candidate.deleted", candidateId)).isEmpty();

        assertThat(post(delete, secret)).isEqualTo(200);
        harness.drain();
        assertThat(row("CANDIDATE", candidateId).deleted()).isTrue();
    }

    @Test
    void aBodyAlteredByOneByte_isRejected401() {
        JsonNode app = activeApplication();
        org.moveStage(app.path("id").asText(), otherActiveStage(app), null);
        Delivery genuine = awaitAccepted(d -> d.action().equals("applicationUpdate"), 1).getFirst();
        byte[] altered = genuine.body().getBytes(StandardCharsets.UTF_8);
        int at = genuine.body().indexOf(app.path("id").asText());
        altered[at] = (byte) (altered[at] == 'a' ? 'b' : 'a');

        assertThat(postSigned(altered, genuine.signature())).isEqualTo(401);
        assertThat(postSigned(genuine.body().getBytes(StandardCharsets.UTF_8), genuine.signature())).isEqualTo(200);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Stages the application once more, so the webhook mirrors it and its candidate. */
    private void mirrorByStageChange(JsonNode app) {
        long before = deliveries(d -> d.action().equals("applicationUpdate")).size();
        org.moveStage(app.path("id").asText(), otherActiveStage(app), null);
        awaitAccepted(d -> d.action().equals("applicationUpdate"), (int) before + 1);
        harness.drain();
        assertThat(row("CANDIDATE", app.path("candidate").path("id").asText()).deleted()).isFalse();
    }

    private List<Delivery> deliveries(Predicate<Delivery> filter) {
        return simulator.webhookSender().deliveries().stream().filter(d -> hookIds.contains(d.webhookId())).filter(filter).toList();
    }

    /** Waits until {@code count} matching deliveries were answered 2xx; returns them. */
    private List<Delivery> awaitAccepted(Predicate<Delivery> filter, int count) {
        Predicate<Delivery> accepted = filter.and(d -> d.status() / 100 == 2);
        simulator.webhookSender().awaitDeliveries(all -> all.stream().filter(d -> hookIds.contains(d.webhookId()))
                .filter(accepted).count() >= count, DELIVERY_WAIT);
        return deliveries(accepted);
    }

    private int post(byte[] body, String signingSecret) {
        return postSigned(body, WebhookSignature.sign(body, signingSecret));
    }

    private int postSigned(byte[] body, String signature) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(bridge.url("/webhooks/ashby/" + tenant.tenantId()))
                    .header("Content-Type", "application/json").header(WebhookSignature.HEADER, signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new AssertionError("posting to the bridge failed", e);
        }
    }

    private long infoCalls(String endpoint, String id) {
        return simulator.requestLog(endpoint).stream()
                .filter(r -> tenant.apiKey().equals(r.apiKey()) && r.body().contains(id)).count();
    }

    private MirrorRow row(String type, String id) {
        Optional<MirrorRow> row = mirror.get(tenant.tenantId(), type, id, MirrorStore.ITEM);
        assertThat(row).as(type + " " + id + " is mirrored").isPresent();
        return row.get();
    }

    /** This tenant's events (seeded tenants share Ashby ids). */
    private List<JsonNode> events(String type, String entityId) {
        return harness.events(type, entityId).stream()
                .filter(e -> tenant.tenantId().equals(e.path("tenantId").asText())).toList();
    }

    private static JsonNode single(List<JsonNode> events) {
        assertThat(events).hasSize(1);
        return events.getFirst();
    }

    private static JsonNode findById(JsonNode array, String id) {
        for (JsonNode node : array) if (id.equals(node.path("id").asText())) return node;
        throw new AssertionError("no " + id + " in " + array);
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private JsonNode openJob() {
        return org.jobs().stream().filter(j -> "Open".equals(j.path("status").asText())).findFirst().orElseThrow();
    }

    private JsonNode activeApplication() {
        return activeApplications().getFirst();
    }

    private List<JsonNode> activeApplications() {
        return org.applications().stream().filter(a -> "Active".equals(a.path("status").asText()))
                .filter(a -> org.candidate(a.path("candidate").path("id").asText()).hasNonNull("primaryEmailAddress"))
                .map(a -> (JsonNode) a).toList();
    }

    private List<JsonNode> activeApplicationsOfTwoCandidates() {
        List<JsonNode> apps = activeApplications();
        JsonNode first = apps.getFirst();
        JsonNode second = apps.stream().filter(a -> !a.path("candidate").path("id").asText()
                .equals(first.path("candidate").path("id").asText())).findFirst().orElseThrow();
        return List.of(first, second);
    }

    /** An interview stage of the application's plan other than its current one, not Lead, Hired or Archived. */
    private String otherActiveStage(JsonNode app) {
        String planId = org.jobs().stream().filter(j -> j.path("id").asText().equals(app.path("job").path("id").asText()))
                .findFirst().orElseThrow().path("defaultInterviewPlanId").asText();
        String current = org.application(app.path("id").asText()).path("currentInterviewStage").path("id").asText();
        return org.interviewStages(planId).stream()
                .filter(s -> !Set.of("Lead", "Hired", "Archived").contains(s.path("type").asText()))
                .map(s -> s.path("id").asText()).filter(id -> !id.equals(current)).findFirst().orElseThrow();
    }
}
