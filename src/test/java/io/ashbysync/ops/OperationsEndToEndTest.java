package io.ashbysync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.Fault;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.ashby.simulator.WebhookSender;
import io.ashbysync.mirror.CandidateDocuments;
import io.ashbysync.mirror.MirrorRow;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.poll.PollService;
import io.ashbysync.poll.TenantSync;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStatus;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.HttpFunctionServer;
import io.ashbysync.testing.InProcessCommands;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.LambdaInvoker;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.ashbysync.webhook.WebhookRouteTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operations end to end through the real local parts: the `http` function's admin routes, the commands function
 * draining the real queues (ElasticMQ, with template.yaml's redrive policies), moto's tables, and the Ashby simulator
 * delivering signed webhooks to the webhook route on a real port.
 */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
class OperationsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HttpFunctionServer server;

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    TenantSync sync;
    @Inject
    PollService poller;
    @Inject
    MirrorStore mirror;
    @Inject
    AshbyClient ashby;
    @Inject
    @jakarta.inject.Named("http")
    io.ashbysync.http.HttpHandler http;

    private CommandHarness commands;

    @BeforeEach
    void setUp() {
        if (server == null) server = HttpFunctionServer.start(TenantOperationsTest.ROUTES, HttpFunctionServer.inProcess(http));
        commands = new CommandHarness(aws, InProcessCommands::invoke);
        simulator.faults().clear();
    }

    @AfterEach
    void clearFaults() {
        simulator.faults().clear();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
        server = null;
    }

    // ---- dead letters ---------------------------------------------------------------------------------------------

    @Test
    void aCommandFailingEveryAttempt_isListedWithItsReason_andOnceRedrivenAfterTheFix_runsOnce() throws Exception {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        SimulatedOrganization org = tenant.organization();
        SeededTenantGenerator.seed(21).candidates(2).jobs(2).users(3).generate(org);
        String jobId = org.jobs().stream().filter(j -> j.path("status").asText().equals("Open")).findFirst().orElseThrow().get("id").asText();
        for (int i = 0; i < 100; i++) simulator.faults().next("job.info", Fault.status(503));
        ObjectNode command = CommandHarness.command("candidate.export", tenant.tenantId(), JSON.createObjectNode()
                .put("findemProfileId", "fp-dead-letter").put("mode", "application").put("jobId", jobId));
        ((ObjectNode) command.get("payload")).putObject("candidate").put("name", "Dee Letter").putArray("emails").add("dee@example.com");
        String commandId = command.get("commandId").asText();
        commands.sendValid(command);

        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThat(commands.deliverOnce()).as("attempt %d fails and goes back", attempt).hasSize(1);
        }
        assertThat(commands.deliverOnce()).as("SQS moved it to the dead-letter queue").isEmpty();

        // the operator looks: the message is there, with its content and why it failed, and stays there
        for (int look = 0; look < 2; look++) {
            JsonNode letter = deadLetter(commandId);
            assertThat(letter).as("listed on look %d", look + 1).isNotNull();
            assertThat(JSON.readTree(letter.path("body").asText())).isEqualTo(command);
            assertThat(letter.path("reason").asText()).startsWith("attempt 5: ").contains("job.info");
            assertThat(letter.path("receiveCount").asInt()).isGreaterThanOrEqualTo(5);
        }
        assertThat(commands.results(commandId)).singleElement()
                .satisfies(r -> assertThat(r.path("data").path("error").path("code").asText()).isEqualTo("retries_exhausted"));
        assertThat(candidatesNamed(org, "Dee Letter")).isEmpty();

        simulator.faults().clear();
        Answer redriven = admin("POST /admin/dead-letters/{queue}/redrive", "/admin/dead-letters/commands/redrive", Map.of("queue", "commands"));
        assertThat(redriven.status()).isEqualTo(200);
        assertThat(redriven.body().path("moved").asInt()).isGreaterThanOrEqualTo(1);
        commands.drainCommands();

        JsonNode succeeded = commands.results(commandId).stream().filter(r -> r.path("data").path("status").asText().equals("succeeded"))
                .findFirst().orElseThrow(() -> new AssertionError("no succeeded result after the redrive: " + commands.results(commandId)));
        assertThat(succeeded.path("eventId").asText()).isEqualTo("result-" + commandId);
        assertThat(candidatesNamed(org, "Dee Letter")).as("exported once").hasSize(1);
        assertThat(deadLetter(commandId)).isNull();
        assertThat(admin("GET /admin/dead-letters/{queue}", "/admin/dead-letters/commands", Map.of("queue", "commands")).body())
                .as("the dead-letter queue is empty").isEmpty();
    }

    // ---- replay ---------------------------------------------------------------------------------------------------

    @Test
    void replay_resendsOneCurrentDocumentPerMirroredCandidate_underEventIdsOfItsOwn() {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 600_000);
        SimulatedOrganization org = tenant.organization();
        SeededTenantGenerator.seed(22).candidates(6).jobs(2).users(3).generate(org);
        syncAndRunWork(tenant);
        // after the first sync: one candidate moves on (a new document), another is deleted (found by a full pass)
        JsonNode moved = org.applications().stream().filter(a -> a.path("status").asText().equals("Active")).findFirst().orElseThrow();
        String movedCandidate = moved.path("candidate").path("id").asText();
        String hiredStage = org.hire(moved.path("id").asText()).path("currentInterviewStage").path("id").asText();
        assertThat(hiredStage).isNotEqualTo(moved.path("currentInterviewStage").path("id").asText());
        String deleted = org.candidates().stream().map(c -> c.path("id").asText()).filter(id -> !id.equals(movedCandidate)).findFirst().orElseThrow();
        org.deleteCandidate(deleted);
        org.expireSyncTokens();
        syncAndRunWork(tenant);
        Map<String, JsonNode> lastSent = new HashMap<>();
        commands.tenantEvents(tenant.tenantId(), CandidateDocuments.UPSERTED).forEach(e -> lastSent.put(e.path("entityId").asText(), e));
        Set<String> live = org.candidates().stream().map(c -> c.path("id").asText()).collect(Collectors.toSet());
        assertThat(mirror.all(tenant.tenantId(), CandidateDocuments.CANDIDATE).stream().filter(r -> !r.deleted()).map(MirrorRow::entityId))
                .as("the mirror before the replay").containsExactlyInAnyOrderElementsOf(live);

        Answer started = admin("POST /admin/tenants/{tenantId}/replay", "/admin/tenants/" + tenant.tenantId() + "/replay",
                Map.of("tenantId", tenant.tenantId()));
        assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
        String replayId = started.body().path("replayId").asText();
        assertThat(started.body().path("candidates").asInt()).isEqualTo(live.size());
        assertThat(commands.drainWork(tenant.tenantId())).containsOnly(Replay.TYPE);

        List<JsonNode> replayed = commands.tenantEvents(tenant.tenantId(), CandidateDocuments.UPSERTED).stream()
                .filter(e -> e.path("eventId").asText().endsWith(":replay-" + replayId)).toList();
        assertThat(replayed).extracting(e -> e.path("entityId").asText()).as("one per mirrored candidate, the deleted one not")
                .containsExactlyInAnyOrderElementsOf(live);
        for (JsonNode event : replayed) {
            JsonNode last = lastSent.get(event.path("entityId").asText());
            assertThat(event.path("data")).as("replayed as last sent by the sync").isEqualTo(last.path("data"));
            assertThat(event.path("entityVersion")).isEqualTo(last.path("entityVersion"));
            assertThat(event.path("eventId").asText()).isNotEqualTo(last.path("eventId").asText());
        }
        JsonNode movedDocument = replayed.stream().filter(e -> e.path("entityId").asText().equals(movedCandidate)).findFirst().orElseThrow();
        assertThat(movedDocument.path("data").path("applications").findValuesAsText("id")).contains(moved.path("id").asText());
        assertThat(stageOf(movedDocument, moved.path("id").asText())).as("current content").isEqualTo(hiredStage);

        // jobs, postings, stages and reference records: one event each, as mirrored
        assertThat(started.body().path("recordTypes").asInt()).isEqualTo(TenantSync.RECORD_EVENT_ENTITIES.size());
        assertThat(mirror.all(tenant.tenantId(), "JOB")).as("jobs mirrored before the replay").isNotEmpty();
        TenantSync.RECORD_EVENT_ENTITIES.forEach((entityType, entity) -> {
            Map<String, JsonNode> mirrored = mirror.all(tenant.tenantId(), entityType).stream().filter(r -> !r.deleted())
                    .collect(Collectors.toMap(MirrorRow::entityId, MirrorRow::data));
            List<JsonNode> events = commands.tenantEvents(tenant.tenantId(), entity + ".upserted").stream()
                    .filter(e -> e.path("eventId").asText().endsWith(":replay-" + replayId)).toList();
            assertThat(events).extracting(e -> e.path("entityId").asText()).as(entityType).containsExactlyInAnyOrderElementsOf(mirrored.keySet());
            events.forEach(e -> assertThat(e.path("data")).as(entityType + " " + e.path("entityId").asText())
                    .isEqualTo(mirrored.get(e.path("entityId").asText())));
        });
    }

    // ---- first sync -----------------------------------------------------------------------------------------------

    @Test
    void onboarding_queuesTheFirstSync_whichMirrorsTheTenant_andTheStatusShowsEachStreamsSuccess() {
        String tenantId = TenantOperationsTest.newTenantId();
        String apiKey = TenantOperationsTest.newKey();
        SimulatedOrganization org = simulator.createOrganization(apiKey);
        SeededTenantGenerator.seed(23).candidates(8).jobs(2).users(3).generate(org);

        Answer onboarded = onboard(tenantId, apiKey);
        assertThat(onboarded.status()).as(onboarded.body().toString()).isEqualTo(201);
        assertThat(onboarded.body().path("firstSyncStarted").asBoolean()).isTrue();
        JsonNode before = status(tenantId);
        assertThat(present(before.path("phase"))).as("nothing synced before the work runs: " + before).isFalse();
        assertThat(before.path("streams")).isEmpty();

        List<String> ran = commands.drainWork(tenantId);

        assertThat(ran).filteredOn(FirstSyncWork.TYPE::equals).hasSize(1);
        Set<String> ashbyCandidates = org.candidates().stream().map(c -> c.path("id").asText()).collect(Collectors.toSet());
        assertThat(mirror.all(tenantId, CandidateDocuments.CANDIDATE)).extracting(MirrorRow::entityId).containsExactlyInAnyOrderElementsOf(ashbyCandidates);
        assertThat(commands.tenantEvents(tenantId, CandidateDocuments.UPSERTED)).extracting(e -> e.path("entityId").asText())
                .as("every candidate's document went to Findem").containsAll(ashbyCandidates);
        JsonNode after = status(tenantId);
        assertThat(after.path("phase").asText()).isEqualTo("drained");
        assertThat(present(after.path("lastSuccessAt"))).as("last success: " + after).isTrue();
        assertThat(after.path("lagSeconds").asLong(-1)).isGreaterThanOrEqualTo(0);
        Map<String, JsonNode> streams = new HashMap<>();
        after.path("streams").forEach(s -> streams.put(s.path("name").asText(), s));
        assertThat(streams).containsKeys("users", "jobs", "applications", "candidates", "reference");
        assertThat(streams.get("candidates").path("lastFullCount").asLong()).isEqualTo(ashbyCandidates.size());
        assertThat(streams.get("candidates").path("inPass").asBoolean()).isFalse();
        List.of("users", "jobs", "applications", "candidates").forEach(name ->
                assertThat(present(streams.get(name).path("lastSuccessAt"))).as(name + " last success").isTrue());
    }

    // ---- pause ----------------------------------------------------------------------------------------------------

    @Test
    void aPausedTenant_refusesCommandsAndWorkQueuedBefore_writesNothingToAshby_andIsStillMirrored() {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 600_000);
        SimulatedOrganization org = tenant.organization();
        SeededTenantGenerator.seed(24).candidates(12).jobs(2).users(3).generate(org);
        String recruiter = org.users().get(1).path("email").asText();
        List<String> active = org.applications().stream().filter(a -> a.path("status").asText().equals("Active"))
                .filter(a -> org.candidate(a.path("candidate").path("id").asText()).has("primaryEmailAddress"))
                .map(a -> a.path("id").asText()).limit(3).toList();
        assertThat(active).hasSize(3);
        // a rejection accepted while active: its chunk waits on the work queue when the tenant is paused
        ObjectNode queuedReject = command("application.reject", tenant, recruiter, rejectPayload(active.subList(0, 2)));
        commands.send(queuedReject);
        assertThat(commands.deliverOnce()).isEmpty();

        Answer paused = admin("POST /admin/tenants/{tenantId}/pause", "/admin/tenants/" + tenant.tenantId() + "/pause",
                Map.of("tenantId", tenant.tenantId()));
        assertThat(paused.body().path("status").asText()).isEqualTo("PAUSED");
        long writesBefore = ashbyWrites(tenant);
        commands.drainWork(tenant.tenantId());
        ObjectNode export = command("candidate.export", tenant, recruiter, JSON.createObjectNode().put("findemProfileId", "fp-paused")
                .put("mode", "prospect"));
        export.with("payload").putObject("candidate").put("name", "Paula Paused").putArray("emails").add("paula@example.com");
        ObjectNode advance = command("application.advance", tenant, recruiter, JSON.createObjectNode().put("applicationId", active.get(2)).put("next", true));
        ObjectNode reject = command("application.reject", tenant, recruiter, rejectPayload(List.of(active.get(2))));
        for (ObjectNode c : List.of(export, advance, reject)) commands.sendValid(c);
        commands.drainCommands();

        String why = "tenant '" + tenant.tenantId() + "' is PAUSED: nothing is written to Ashby until an operator resumes it";
        for (ObjectNode c : List.of(export, advance, reject)) {
            JsonNode result = commands.result(c.get("commandId").asText());
            assertThat(result.path("status").asText()).as(c.get("type").asText()).isEqualTo("failed");
            assertThat(result.path("error").path("code").asText()).isEqualTo("tenant_not_active");
            assertThat(result.path("error").path("message").asText()).isEqualTo(why);
        }
        JsonNode queued = commands.result(queuedReject.get("commandId").asText());
        assertThat(queued.path("status").asText()).as(queued.toString()).isEqualTo("failed");
        assertThat(queued.path("output").path("items")).hasSize(2).allSatisfy(item -> {
            assertThat(item.path("outcome").asText()).isEqualTo("failed");
            assertThat(item.path("error").path("code").asText()).isEqualTo("tenant_not_active");
            assertThat(item.path("error").path("message").asText()).isEqualTo(why);
        });
        assertThat(ashbyWrites(tenant)).as("no write reached Ashby while paused").isEqualTo(writesBefore);
        assertThat(active).allSatisfy(id -> assertThat(org.application(id).path("status").asText()).isEqualTo("Active"));
        assertThat(candidatesNamed(org, "Paula Paused")).isEmpty();

        // read-only, not stopped: the poller's pass still brings Ashby's changes into the mirror
        tenants.listMirrored().stream().filter(t -> !t.tenantId().equals(tenant.tenantId()))
                .forEach(t -> tenants.save(new TenantConfig(t.tenantId(), TenantStatus.DISABLED, t.requestsPerMinute())));
        PollService.PollSummary pass = poller.pollAll(Instant.now().plusSeconds(120));
        assertThat(pass.polledTenants()).containsExactly(tenant.tenantId());
        commands.drainWork(tenant.tenantId());
        assertThat(mirror.all(tenant.tenantId(), CandidateDocuments.CANDIDATE)).hasSize(org.candidates().size());
        assertThat(ashbyWrites(tenant)).isEqualTo(writesBefore);

        admin("POST /admin/tenants/{tenantId}/resume", "/admin/tenants/" + tenant.tenantId() + "/resume", Map.of("tenantId", tenant.tenantId()));
        ObjectNode again = command("application.reject", tenant, recruiter, rejectPayload(List.of(active.get(2))));
        commands.sendValid(again);
        commands.drainCommands();
        commands.drainWork(tenant.tenantId());
        assertThat(commands.result(again.get("commandId").asText()).path("status").asText()).as("resumed: writes again").isEqualTo("succeeded");
        assertThat(org.application(active.get(2)).path("status").asText()).isEqualTo("Archived");
    }

    // ---- webhook health -------------------------------------------------------------------------------------------

    @Test
    void aWebhookEnabledInAshbyThatStopsDelivering_isReportedSilent_notReEnabled() throws Exception {
        String tenantId = TenantOperationsTest.newTenantId();
        String apiKey = TenantOperationsTest.newKey();
        SimulatedOrganization org = simulator.createOrganization(apiKey);
        SeededTenantGenerator.seed(25).candidates(4).jobs(2).users(3).generate(org);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);
        commands.drainWork(tenantId);
        String hookId = org.webhooks().stream().filter(w -> w.path("webhookType").asText().equals("applicationUpdate"))
                .findFirst().orElseThrow().path("id").asText();
        String applicationId = org.applications().getFirst().path("id").asText();
        List<String> sources = org.sources().stream().map(s -> s.path("id").asText()).toList();

        // working: the delivery brings the change, so the poller finds nothing the webhook did not bring
        updateSource(tenantId, applicationId, sources.get(0));
        simulator.webhookSender().awaitDeliveries(d -> delivered(d, hookId) == 1, Duration.ofSeconds(30));
        commands.drainWork(tenantId);
        pollOnce(tenantId);
        JsonNode working = webhook(status(tenantId), "applicationUpdate");
        assertThat(present(working.path("lastDeliveryAt"))).as(working.toString()).isTrue();
        assertThat(working.path("silent").asBoolean()).isFalse();
        assertThat(status(tenantId).path("hints").toString()).doesNotContain("silent");
        assertThat(checkWebhooks(tenantId).values()).containsOnly("ok");

        // silent: Ashby still shows it enabled, but the next change only reaches the mirror through the poller
        org.stopDelivering(hookId);
        updateSource(tenantId, applicationId, sources.get(1));
        pollOnce(tenantId);

        JsonNode report = status(tenantId);
        JsonNode silent = webhook(report, "applicationUpdate");
        assertThat(silent.path("enabled").asBoolean()).isTrue();
        assertThat(silent.path("silent").asBoolean()).as(silent.toString()).isTrue();
        assertThat(report.path("hints").toString()).contains("webhook applicationUpdate is enabled in Ashby but silent")
                .contains(server.baseUrl() + "/webhooks/ashby/" + tenantId);
        report.path("webhooks").forEach(w -> {
            if (!w.path("webhookType").asText().equals("applicationUpdate")) assertThat(w.path("silent").asBoolean()).as(w.toString()).isFalse();
        });
        Map<String, String> checked = checkWebhooks(tenantId);
        assertThat(checked).containsEntry("applicationUpdate", "silent");
        assertThat(checked.values().stream().filter(o -> !o.equals("ok"))).containsExactly("silent");
        assertThat(org.webhooks()).allSatisfy(w -> assertThat(w.path("enabled").asBoolean()).isTrue());
        assertThat(delivered(simulator.webhookSender().deliveries(), hookId)).as("nothing arrived since").isEqualTo(1);
        String page = statusPage();
        String section = page.substring(page.indexOf("data-tenant=\"" + tenantId + "\""));
        assertThat(section.substring(0, section.indexOf("</section>"))).contains("<td class=\"bad\">silent</td>");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    record Answer(int status, JsonNode body) {}

    private static Answer admin(String routeKey, String path, Map<String, String> pathParameters) {
        TenantOperationsTest.Answer answer = TenantOperationsTest.call(routeKey, path, pathParameters, null);
        return new Answer(answer.status(), answer.body());
    }

    private static Answer onboard(String tenantId, String apiKey) {
        TenantOperationsTest.Answer answer = TenantOperationsTest.call("POST /admin/tenants", "/admin/tenants", Map.of(), Map.of(
                "tenantId", tenantId, "apiKey", apiKey, "requestsPerMinute", 60_000, "webhookBaseUrl", server.baseUrl().toString()));
        return new Answer(answer.status(), answer.body());
    }

    private static JsonNode status(String tenantId) {
        Answer answer = admin("GET /admin/tenants/{tenantId}/status", "/admin/tenants/" + tenantId + "/status", Map.of("tenantId", tenantId));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer.body();
    }

    private static String statusPage() throws IOException {
        String response = LambdaInvoker.invoke(LambdaEvents.http("GET /admin/status", "/admin/status", Map.of(), Map.of(), Map.of(), new byte[0]));
        return JSON.readTree(response).path("body").asText();
    }

    private static boolean present(JsonNode value) {
        return !value.isNull() && !value.isMissingNode() && !value.asText().isEmpty();
    }

    private static JsonNode webhook(JsonNode report, String type) {
        for (JsonNode w : report.path("webhooks")) if (w.path("webhookType").asText().equals(type)) return w;
        throw new AssertionError("no " + type + " webhook in " + report);
    }

    /** The check's outcome per webhook type. */
    private static Map<String, String> checkWebhooks(String tenantId) {
        Answer checked = admin("POST /admin/tenants/{tenantId}/webhooks/check", "/admin/tenants/" + tenantId + "/webhooks/check",
                Map.of("tenantId", tenantId));
        assertThat(checked.status()).as(checked.body().toString()).isEqualTo(200);
        Map<String, String> outcomes = new HashMap<>();
        checked.body().forEach(c -> {
            outcomes.put(c.path("webhookType").asText(), c.path("outcome").asText());
            if (c.path("outcome").asText().equals("silent")) assertThat(c.path("hint").asText()).contains("is enabled in Ashby but silent");
        });
        return outcomes;
    }

    /** Changes the webhook delivered (its ping on creation not counted). */
    private static long delivered(List<WebhookSender.Delivery> deliveries, String webhookId) {
        return deliveries.stream().filter(d -> d.webhookId().equals(webhookId) && !d.action().equals("ping") && d.status() == 200).count();
    }

    /** An integration changes the application's source through Ashby's API: Ashby fires only applicationUpdate. */
    private void updateSource(String tenantId, String applicationId, String sourceId) {
        ashby.forTenant(tenants.get(tenantId)).call(AshbyEndpoint.APPLICATION_UPDATE,
                Map.of("applicationId", applicationId, "sourceId", sourceId), JsonNode.class);
    }

    /** One poller run for the tenant (the pass's own code for one tenant), then the work it fanned out. */
    private void pollOnce(String tenantId) {
        assertThat(sync.sync(tenants.get(tenantId), Instant.now().plusSeconds(120))).isEqualTo(TenantSync.Outcome.DRAINED);
        commands.drainWork(tenantId);
    }

    private void syncAndRunWork(TestTenant tenant) {
        pollOnce(tenant.tenantId());
    }

    /** The dead letter of the command as the admin route lists it; null when it is not there. */
    private static JsonNode deadLetter(String commandId) {
        Answer letters = admin("GET /admin/dead-letters/{queue}", "/admin/dead-letters/commands", Map.of("queue", "commands"));
        assertThat(letters.status()).as(letters.body().toString()).isEqualTo(200);
        for (JsonNode letter : letters.body()) if (letter.path("body").asText().contains(commandId)) return letter;
        return null;
    }

    private static ObjectNode command(String type, TestTenant tenant, String recruiterEmail, ObjectNode payload) {
        ObjectNode command = CommandHarness.command(type, tenant.tenantId(), payload);
        command.with("requestedBy").put("email", recruiterEmail);
        return command;
    }

    private static ObjectNode rejectPayload(List<String> applicationIds) {
        ObjectNode payload = JSON.createObjectNode().put("archiveReasonText", "Not a fit");
        applicationIds.forEach(payload.putArray("applicationIds")::add);
        return payload;
    }

    private static final Set<String> WRITE_ENDPOINTS = Arrays.stream(AshbyEndpoint.values()).filter(AshbyEndpoint::isWrite)
            .map(AshbyEndpoint::path).collect(Collectors.toSet());

    private long ashbyWrites(TestTenant tenant) {
        return simulator.requestLog().stream().filter(r -> tenant.apiKey().equals(r.apiKey()) && WRITE_ENDPOINTS.contains(r.endpoint())).count();
    }

    private static List<JsonNode> candidatesNamed(SimulatedOrganization org, String name) {
        List<JsonNode> found = new ArrayList<>();
        org.candidates().stream().filter(c -> c.path("name").asText().equals(name)).forEach(found::add);
        return found;
    }

    private static String stageOf(JsonNode document, String applicationId) {
        for (JsonNode application : document.path("data").path("applications")) {
            if (application.path("id").asText().equals(applicationId)) return application.path("currentInterviewStage").path("id").asText();
        }
        throw new AssertionError("no application " + applicationId + " in " + document);
    }
}
