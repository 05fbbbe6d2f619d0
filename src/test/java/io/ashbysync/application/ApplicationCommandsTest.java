package io.ashbysync.application;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.Fault;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator.SeededTenant;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** application.advance / reject / reject.cancel through the `commands` function, ElasticMQ, moto and the Ashby simulator. */
@QuarkusTest
class ApplicationCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    IdentityIndex identity;
    @Inject
    DelayedRejections delayed;

    private CommandHarness driver;
    private TestTenant tenant;
    private SimulatedOrganization org;
    private SeededTenant seeded;
    private ObjectNode recruiter;

    @BeforeEach
    void setUp() {
        driver = new CommandHarness(aws);
        tenant = TestTenants.register(aws, simulator, tenants, 600_000);
        org = tenant.organization();
        seeded = SeededTenantGenerator.seed(7).candidates(40).jobs(3).users(4).generate(org);
        JsonNode user = org.users().get(1);
        recruiter = JSON.createObjectNode().put("email", user.get("email").asText()).put("name", "Rita Recruiter");
    }

    @AfterEach
    void clearFaults() {
        simulator.faults().clear();
    }

    // ---------------------------------------------------------------- helpers

    private ObjectNode command(String type, ObjectNode payload) {
        ObjectNode command = JSON.createObjectNode().put("type", type).put("commandId", "cmd-" + UUID.randomUUID())
                .put("tenantId", tenant.tenantId());
        command.set("requestedBy", recruiter.deepCopy());
        command.set("payload", payload);
        return command;
    }

    private JsonNode run(ObjectNode command) {
        driver.send(command);
        driver.drain();
        return driver.result(command.get("commandId").asText());
    }

    private List<String> applicationsWithStatus(String status, int count) {
        List<String> ids = org.applications().stream().filter(a -> a.get("status").asText().equals(status))
                .filter(a -> org.candidate(a.path("candidate").path("id").asText()).has("primaryEmailAddress"))
                .map(a -> a.get("id").asText()).limit(count).toList();
        assertThat(ids).hasSize(count);
        return ids;
    }

    private JsonNode app(String id) {
        return org.application(id);
    }

    private String stageType(String applicationId) {
        return app(applicationId).path("currentInterviewStage").path("type").asText();
    }

    private String reasonId(String text) {
        return org.archiveReasons().stream().filter(r -> r.get("text").asText().equals(text)).findFirst().orElseThrow().get("id").asText();
    }

    private ObjectNode reject(List<String> ids) {
        ObjectNode payload = JSON.createObjectNode();
        ArrayNode array = payload.putArray("applicationIds");
        ids.forEach(array::add);
        return payload;
    }

    private long notesMentioning(String candidateId, String text) {
        return org.notes(candidateId).stream().filter(n -> n.get("content").asText().contains(text)).count();
    }

    private String candidateOf(String applicationId) {
        return app(applicationId).path("candidate").path("id").asText();
    }

    // ---------------------------------------------------------------- advance

    @Test
    void advance_next_movesToTheNextStageAsTheRecruiterAndLeavesANote() {
        String applicationId = applicationsWithStatus("Active", 1).getFirst();
        int before = app(applicationId).path("currentInterviewStage").path("orderInInterviewPlan").asInt();

        JsonNode result = run(command("application.advance", JSON.createObjectNode().put("applicationId", applicationId).put("next", true)));

        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        JsonNode stage = app(applicationId).path("currentInterviewStage");
        assertThat(stage.path("orderInInterviewPlan").asInt()).isGreaterThan(before);
        assertThat(stage.path("type").asText()).isNotEqualTo("Archived");
        assertThat(result.path("output").path("actedAs").asText()).isEqualTo("user");
        JsonNode history = app(applicationId).path("applicationHistory");
        assertThat(history.get(history.size() - 1).path("actorId").asText()).isEqualTo(org.users().get(1).get("id").asText());
        assertThat(notesMentioning(candidateOf(applicationId), "Moved from")).isEqualTo(1);
        assertThat(notesMentioning(candidateOf(applicationId), recruiter.get("email").asText())).isEqualTo(1);
    }

    @Test
    void advance_byProfileAndJob_toAStageTitle() {
        JsonNode application = org.applications().stream().filter(a -> a.get("status").asText().equals("Active")).findFirst().orElseThrow();
        String applicationId = application.get("id").asText();
        String candidateId = application.path("candidate").path("id").asText();
        identity.link(tenant.tenantId(), candidateId, "fp-adv", List.of(), List.of());
        String jobId = app(applicationId).path("job").path("id").asText();

        JsonNode result = run(command("application.advance", JSON.createObjectNode().put("findemProfileId", "fp-adv").put("jobId", jobId)
                .put("stageTitle", "offer")));

        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        assertThat(app(applicationId).path("currentInterviewStage").path("title").asText()).isEqualTo("Offer");
    }

    @Test
    void advance_fromAnArchivedApplication_isRefused() {
        String applicationId = applicationsWithStatus("Archived", 1).getFirst();
        JsonNode result = run(command("application.advance", JSON.createObjectNode().put("applicationId", applicationId).put("next", true)));
        assertThat(result.path("status").asText()).isEqualTo("failed");
        assertThat(result.path("error").path("code").asText()).isEqualTo("application_archived");
    }

    @Test
    void advance_toAnUnknownStageTitle_isRefused() {
        String applicationId = applicationsWithStatus("Active", 1).getFirst();
        String stageBefore = app(applicationId).path("currentInterviewStage").path("id").asText();
        JsonNode result = run(command("application.advance", JSON.createObjectNode().put("applicationId", applicationId).put("stageTitle", "Moon Landing")));
        assertThat(result.path("error").path("code").asText()).isEqualTo("stage_not_found");
        assertThat(app(applicationId).path("currentInterviewStage").path("id").asText()).isEqualTo(stageBefore);
    }

    // ---------------------------------------------------------------- reject

    @Test
    void reject_byReasonText_withEmailAtSendAt_archivesOnceWithANote() {
        List<String> ids = applicationsWithStatus("Active", 3);
        Instant sendAt = Instant.now().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        ObjectNode payload = reject(ids).put("archiveReasonText", "  not a FIT ");
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.emailTemplateId()).put("sendAt", sendAt.toString());
        ObjectNode command = command("application.reject", payload);
        driver.send(command);
        driver.send(command);
        driver.drain();

        JsonNode result = driver.result(command.get("commandId").asText());
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        assertThat(result.path("output").path("archived").asInt()).isEqualTo(3);
        for (String id : ids) {
            assertThat(stageType(id)).isEqualTo("Archived");
            assertThat(app(id).path("archiveReason").path("id").asText()).isEqualTo(reasonId("Not a fit"));
            assertThat(notesMentioning(candidateOf(id), Receipts.reference(command.get("commandId").asText() + "/" + id))).isEqualTo(1);
        }
        List<SimulatedOrganization.ScheduledEmail> emails = org.scheduledEmails().stream().filter(e -> ids.contains(e.applicationId())).toList();
        assertThat(emails).hasSize(3).allSatisfy(e -> {
            assertThat(e.sendAt()).isEqualTo(sendAt);
            assertThat(e.actorId()).isEqualTo(org.users().get(1).get("id").asText());
        });
    }

    @Test
    void reject_withSendAtInThePast_sendsNow() {
        String id = applicationsWithStatus("Active", 1).getFirst();
        Instant before = Instant.now();
        ObjectNode payload = reject(List.of(id)).put("archiveReasonId", reasonId("Position filled"));
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.emailTemplateId()).put("sendAt", "2020-01-01T00:00:00Z");

        assertThat(run(command("application.reject", payload)).path("status").asText()).isEqualTo("succeeded");

        SimulatedOrganization.ScheduledEmail email = org.scheduledEmails().stream().filter(e -> e.applicationId().equals(id)).findFirst().orElseThrow();
        assertThat(email.sendAt()).isAfterOrEqualTo(before.minusSeconds(1)).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void reject_withAnUnknownReason_failsWithItsCode() {
        String id = applicationsWithStatus("Active", 1).getFirst();
        JsonNode result = run(command("application.reject", reject(List.of(id)).put("archiveReasonText", "Because I said so")));
        assertThat(result.path("status").asText()).isEqualTo("failed");
        assertThat(result.path("error").path("code").asText()).isEqualTo("archive_reason_not_found");
        assertThat(stageType(id)).isNotEqualTo("Archived");
    }

    @Test
    void reject_withATemplateThatIsNotForEmail_failsAndLeavesTheStage() {
        String id = applicationsWithStatus("Active", 1).getFirst();
        String stage = app(id).path("currentInterviewStage").path("id").asText();
        ObjectNode payload = reject(List.of(id)).put("archiveReasonText", "Not a fit");
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.nonEmailTemplateId());
        JsonNode result = run(command("application.reject", payload));
        assertThat(result.path("error").path("code").asText()).isEqualTo("communication_template_not_allowed");
        assertThat(app(id).path("currentInterviewStage").path("id").asText()).isEqualTo(stage);
    }

    @Test
    void reject_whenTheKeyMayNotActForUsers_actsAsTheKeyAndSaysSoInTheNote() {
        org.allowOnBehalfOf(false);
        String id = applicationsWithStatus("Active", 1).getFirst();
        JsonNode result = run(command("application.reject", reject(List.of(id)).put("archiveReasonText", "Not a fit")));
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        assertThat(result.path("output").path("items").get(0).path("actedAs").asText()).isEqualTo("apiKey");
        assertThat(stageType(id)).isEqualTo("Archived");
        assertThat(notesMentioning(candidateOf(id), "recorded as the API key")).isEqualTo(1);
    }

    @Test
    void reject_dryRun_reportsThePlanAndChangesNothing() {
        List<String> ids = applicationsWithStatus("Active", 2);
        ObjectNode payload = reject(ids).put("archiveReasonText", "Not a fit").put("dryRun", true);
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.emailTemplateId());
        JsonNode result = run(command("application.reject", payload));
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        JsonNode item = result.path("output").path("items").get(0);
        assertThat(item.path("outcome").asText()).isEqualTo("would_archive");
        assertThat(item.path("targetStage").path("title").asText()).isEqualTo("Archived");
        assertThat(item.path("email").path("template").path("title").asText()).isEqualTo("Rejection - standard");
        for (String id : ids) assertThat(stageType(id)).isNotEqualTo("Archived");
    }

    @Test
    void reject_withSomeApplicationsThatCannotBeArchived_isPartiallyFailed() {
        String active = applicationsWithStatus("Active", 1).getFirst();
        String missing = UUID.randomUUID().toString();
        JsonNode result = run(command("application.reject", reject(List.of(active, missing)).put("archiveReasonText", "Not a fit")));
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("partially_failed");
        assertThat(result.path("output").path("items").get(1).path("error").path("code").asText()).isEqualTo("application_not_found");
    }

    @Test
    void reject_withNoApplications_isInvalid() {
        JsonNode result = run(command("application.reject", reject(List.of()).put("archiveReasonText", "Not a fit")));
        assertThat(result.path("error").path("code").asText()).isEqualTo("invalid_payload");
        assertThat(result.path("error").path("field").asText()).isEqualTo("payload.applicationIds");
    }

    @Test
    void reject_withMoreThanTheMaximum_isInvalid() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5001; i++) ids.add(UUID.randomUUID().toString());
        JsonNode result = run(command("application.reject", reject(ids).put("archiveReasonText", "Not a fit")));
        assertThat(result.path("error").path("code").asText()).isEqualTo("invalid_payload");
        assertThat(result.path("error").path("message").asText()).contains("at most 5000");
    }

    @Test
    void reject_whenAnswersAreLostAfterAshbyApplied_archivesEmailsAndNotesOnce() {
        String id = applicationsWithStatus("Active", 1).getFirst();
        simulator.faults().next("application.changeStage", Fault.dropConnectionAfterApply())
                .next("candidate.createNote", Fault.dropConnectionAfterApply());
        ObjectNode payload = reject(List.of(id)).put("archiveReasonText", "Not a fit");
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.emailTemplateId());
        ObjectNode command = command("application.reject", payload);

        JsonNode result = run(command);

        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        assertThat(simulator.faults().pending("application.changeStage")).isZero();
        assertThat(simulator.faults().pending("candidate.createNote")).isZero();
        long archivedEntries = 0;
        for (JsonNode h : app(id).path("applicationHistory")) if (h.path("title").asText().equals("Archived")) archivedEntries++;
        assertThat(archivedEntries).isEqualTo(1);
        assertThat(org.scheduledEmails().stream().filter(e -> e.applicationId().equals(id))).hasSize(1);
        assertThat(notesMentioning(candidateOf(id), Receipts.reference(command.get("commandId").asText() + "/" + id))).isEqualTo(1);
    }

    @Test
    void advance_deliveredTwiceAndWithItsAnswerLost_movesOnceAndNotesOnce() {
        String applicationId = applicationsWithStatus("Active", 1).getFirst();
        int historyBefore = app(applicationId).path("applicationHistory").size();
        simulator.faults().next("application.changeStage", Fault.dropConnectionAfterApply());
        ObjectNode command = command("application.advance", JSON.createObjectNode().put("applicationId", applicationId).put("next", true));
        driver.send(command);
        driver.send(command);
        driver.drain();

        JsonNode result = driver.result(command.get("commandId").asText());
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        assertThat(app(applicationId).path("applicationHistory").size()).isEqualTo(historyBefore + 1);
        assertThat(notesMentioning(candidateOf(applicationId), Receipts.reference(command.get("commandId").asText()))).isEqualTo(1);
    }

    @Test
    void advance_fromAHiredApplication_isRefused() {
        String applicationId = applicationsWithStatus("Active", 1).getFirst();
        org.hire(applicationId);
        JsonNode result = run(command("application.advance", JSON.createObjectNode().put("applicationId", applicationId).put("next", true)));
        assertThat(result.path("error").path("code").asText()).isEqualTo("application_hired");
    }

    @Test
    void reject_whenAshbyStaysDown_answersEveryApplicationOnTheLastAttempt() {
        List<String> ids = applicationsWithStatus("Active", 2);
        ObjectNode command = command("application.reject", reject(ids).put("archiveReasonText", "Not a fit"));
        // The command itself (reason lookup) goes through; every application read after that fails.
        for (int i = 0; i < 200; i++) simulator.faults().next("application.info", Fault.status(503));

        JsonNode result = run(command);

        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("failed");
        assertThat(result.path("error").path("code").asText()).isEqualTo("all_failed");
        assertThat(result.path("output").path("items").findValuesAsText("code")).containsOnly("retries_exhausted");
        for (String id : ids) assertThat(stageType(id)).isNotEqualTo("Archived");
    }

    @Test
    void reject_withAnEmailDelay_schedulesItThatLongAfterTheArchive() {
        String id = applicationsWithStatus("Active", 1).getFirst();
        ObjectNode payload = reject(List.of(id)).put("archiveReasonText", "Not a fit");
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.emailTemplateId()).put("sendAfterMinutes", 120);
        Instant before = Instant.now();

        assertThat(run(command("application.reject", payload)).path("status").asText()).isEqualTo("succeeded");

        SimulatedOrganization.ScheduledEmail email = org.scheduledEmails().stream().filter(e -> e.applicationId().equals(id)).findFirst().orElseThrow();
        assertThat(email.sendAt()).isBetween(before.plus(Duration.ofMinutes(120)), Instant.now().plus(Duration.ofMinutes(120)));
    }

    // ---------------------------------------------------------------- delayed

    @Test
    void delayedReject_firesWhenDue_andCancelStopsAnother() {
        List<String> ids = applicationsWithStatus("Active", 2);
        ObjectNode first = command("application.reject", reject(List.of(ids.get(0))).put("archiveReasonText", "Not a fit").put("delayMinutes", 60));
        ObjectNode second = command("application.reject", reject(List.of(ids.get(1))).put("archiveReasonText", "Not a fit").put("delayMinutes", 60));
        JsonNode scheduled = run(first);
        run(second);
        assertThat(scheduled.path("output").path("scheduled").asBoolean()).as(scheduled.toString()).isTrue();

        JsonNode cancelled = run(command("application.reject.cancel", JSON.createObjectNode().put("rejectionId", second.get("commandId").asText())));
        assertThat(cancelled.path("output").path("cancelled").asBoolean()).as(cancelled.toString()).isTrue();

        assertThat(delayed.fireDue(tenant.tenantId(), Instant.now().plus(Duration.ofMinutes(59)))).isZero();
        driver.drain();
        assertThat(stageType(ids.get(0))).isNotEqualTo("Archived");

        assertThat(delayed.fireDue(tenant.tenantId(), Instant.now().plus(Duration.ofMinutes(61)))).as("the poller's call for the tenant").isEqualTo(1);
        assertThat(delayed.fireDue(tenant.tenantId(), Instant.now().plus(Duration.ofMinutes(62)))).isZero();
        driver.drain();

        assertThat(stageType(ids.get(0))).isEqualTo("Archived");
        assertThat(stageType(ids.get(1))).isNotEqualTo("Archived");
        List<JsonNode> completed = driver.events("application.reject.completed", first.get("commandId").asText());
        assertThat(completed).hasSize(1);
        assertThat(completed.getFirst().path("data").path("status").asText()).isEqualTo("succeeded");
        JsonNode late = run(command("application.reject.cancel", JSON.createObjectNode().put("rejectionId", first.get("commandId").asText())));
        assertThat(late.path("error").path("code").asText()).isEqualTo("rejection_already_fired");
    }

    // ---------------------------------------------------------------- receipts setting

    @Test
    void receiptNotesOff_leavesNoNote() {
        aws.dynamoDb().updateItem(r -> r.tableName(aws.tableName("TenantsTable"))
                .key(Map.of("pk", AttributeValue.fromS(TenantStore.partitionKey(tenant.tenantId())), "sk", AttributeValue.fromS("CONFIG")))
                .updateExpression("SET receiptNotes = :f").expressionAttributeValues(Map.of(":f", AttributeValue.fromBool(false))));
        String id = applicationsWithStatus("Active", 1).getFirst();
        assertThat(run(command("application.reject", reject(List.of(id)).put("archiveReasonText", "Not a fit"))).path("status").asText()).isEqualTo("succeeded");
        assertThat(notesMentioning(candidateOf(id), "Findem ref")).isZero();
    }

    // ---------------------------------------------------------------- bulk

    @Test
    void bulkOf2000_withInjected429sAnd5xx_accountsForEveryApplicationExactlyOnce() {
        SeededTenant big = SeededTenantGenerator.seed(99).candidates(0).jobs(2).users(2).generate(org);
        List<String> candidates = new ArrayList<>(org.candidates().stream().filter(c -> c.has("primaryEmailAddress"))
                .map(c -> c.get("id").asText()).toList());
        String jobId = org.jobs().stream().filter(j -> j.path("status").asText().equals("Open")).findFirst().orElseThrow().get("id").asText();
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 2000; i++) {
            ids.add(org.addApplicationManually(candidates.get(i % candidates.size()), jobId).get("id").asText());
        }
        assertThat(big.jobIds()).isNotEmpty();
        int notesBefore = candidates.stream().mapToInt(c -> org.notes(c).size()).sum();
        simulator.faults().random(0.05, Fault.rateLimited(0), Fault.status(503), Fault.status(500), Fault.dropConnectionAfterApply());

        ObjectNode payload = reject(ids).put("archiveReasonText", "Not a fit");
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.emailTemplateId());
        ObjectNode command = command("application.reject", payload);
        driver.send(command);
        driver.drain();
        simulator.faults().clear();

        JsonNode result = driver.result(command.get("commandId").asText());
        assertThat(result.path("status").asText()).as(result.path("error").toString()).isEqualTo("succeeded");
        JsonNode items = result.path("output").path("items");
        assertThat(items).hasSize(2000);
        assertThat(new HashSet<>(items.findValuesAsText("applicationId"))).containsExactlyInAnyOrderElementsOf(ids);
        for (String id : ids) assertThat(stageType(id)).isEqualTo("Archived");
        int archives = 0;
        for (String id : ids) {
            for (JsonNode h : app(id).path("applicationHistory")) if (h.path("title").asText().equals("Archived")) archives++;
        }
        assertThat(archives).as("one Archived history entry per application").isEqualTo(2000);
        int notesAfter = candidates.stream().mapToInt(c -> org.notes(c).size()).sum();
        assertThat(notesAfter - notesBefore).as("one receipt note per application").isEqualTo(2000);
        List<String> emailed = org.scheduledEmails().stream().map(SimulatedOrganization.ScheduledEmail::applicationId).filter(ids::contains).toList();
        assertThat(emailed).as("one rejection email per application").hasSize(2000).doesNotHaveDuplicates();
        assertThat(driver.events("command.progress", command.get("commandId").asText())).isNotEmpty();
    }

    @Test
    void bulkOf5000_theDocumentedMaximum_isClaimChecked_andAnsweredOnceWithEveryItem() {
        // receipts off: this test is about the size of the result, not about 5,000 notes
        aws.dynamoDb().updateItem(r -> r.tableName(aws.tableName("TenantsTable"))
                .key(Map.of("pk", AttributeValue.fromS(TenantStore.partitionKey(tenant.tenantId())), "sk", AttributeValue.fromS("CONFIG")))
                .updateExpression("SET receiptNotes = :f").expressionAttributeValues(Map.of(":f", AttributeValue.fromBool(false))));
        List<String> candidates = org.candidates().stream().map(c -> c.get("id").asText()).toList();
        List<String> jobs = org.jobs().stream().filter(j -> j.path("status").asText().equals("Open")).map(j -> j.get("id").asText()).toList();
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 5000; i++) {
            ids.add(org.addApplicationManually(candidates.get(i % candidates.size()), jobs.get(i % jobs.size())).get("id").asText());
        }
        ObjectNode command = command("application.reject", reject(ids).put("archiveReasonText", "Not a fit"));
        String commandId = command.get("commandId").asText();

        JsonNode result = run(command);

        assertThat(result.path("status").asText()).as(result.path("error").toString()).isEqualTo("succeeded");
        assertThat(new HashSet<>(result.path("output").path("items").findValuesAsText("applicationId"))).containsExactlyInAnyOrderElementsOf(ids);
        JsonNode event = driver.results(commandId).getFirst();
        assertThat(event.path("dataRef").path("key").asText()).as("claim-checked: too large for SQS")
                .startsWith("claims/" + tenant.tenantId() + "/");
        Map<String, AttributeValue> record = aws.dynamoDb().getItem(r -> r.tableName(aws.tableName("IdempotencyTable"))
                .key(Map.of("pk", AttributeValue.fromS(tenant.tenantId() + "#" + commandId), "sk", AttributeValue.fromS("RECORD")))).item();
        long itemBytes = record.entrySet().stream().mapToLong(e -> e.getKey().length() + (e.getValue().s() != null ? e.getValue().s().length() : 16)).sum();
        assertThat(itemBytes).as("the idempotency record stays under DynamoDB's 400 KB").isLessThan(400_000);
        assertThat(record).containsKey("resultRef").doesNotContainKey("result");

        // a redelivery of the command whose result never reached Findem sends the stored result again, whole
        aws.dynamoDb().updateItem(r -> r.tableName(aws.tableName("IdempotencyTable"))
                .key(Map.of("pk", AttributeValue.fromS(tenant.tenantId() + "#" + commandId), "sk", AttributeValue.fromS("RECORD")))
                .updateExpression("SET resultDelivered = :f").expressionAttributeValues(Map.of(":f", AttributeValue.fromBool(false))));
        driver.send(command);
        driver.drain();
        List<JsonNode> results = driver.results(commandId);
        assertThat(results).hasSize(2);
        assertThat(results.get(1).path("data")).isEqualTo(results.get(0).path("data"));
    }
}
