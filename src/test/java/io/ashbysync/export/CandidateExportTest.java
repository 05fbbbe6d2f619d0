package io.ashbysync.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator.SeededTenant;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.platform.Deadline;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.FileServer;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code candidate.export} through the `commands` function, with ElasticMQ, moto and the Ashby simulator. */
@QuarkusTest
class CandidateExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FileServer FILES = new FileServer();
    private static final byte[] PDF = "%PDF-1.4 resume of Ada Lovelace".getBytes(StandardCharsets.UTF_8);

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    IdentityIndex identity;
    @Inject
    FileTransfer fileTransfer;

    private CommandHarness harness;
    private TestTenant tenant;
    private SimulatedOrganization org;
    private SeededTenant seeded;
    private String jobId;

    @BeforeEach
    void setUp() {
        harness = new CommandHarness(aws);
        tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        org = tenant.organization();
        seeded = SeededTenantGenerator.seed(11).candidates(5).jobs(3).users(4).generate(org);
        jobId = org.jobs().stream().filter(j -> j.path("status").asText().equals("Open")).findFirst().orElseThrow().get("id").asText();
    }

    @AfterEach
    void disarm() {
        CrashingStepProbe.CRASH_AFTER.set(null);
        simulator.faults().clear();
    }

    @AfterAll
    static void stopFiles() {
        FILES.close();
    }

    // ---------------------------------------------------------------- payloads and helpers

    private ObjectNode payload(String profileId, String mode, String name, String email) {
        ObjectNode payload = JSON.createObjectNode().put("findemProfileId", profileId).put("mode", mode);
        if (!mode.equals("prospect")) payload.put("jobId", jobId);
        ObjectNode candidate = payload.putObject("candidate").put("name", name)
                .put("linkedInUrl", "https://www.linkedin.com/in/" + profileId + "/");
        if (email != null) candidate.putArray("emails").add(email);
        return payload;
    }

    private ObjectNode fullPayload(String profileId, String name, String email) {
        ObjectNode payload = payload(profileId, "application", name, email);
        ((ArrayNode) payload.get("candidate").get("emails")).add("alt." + email);
        payload.with("candidate").putArray("phoneNumbers").add("+44 20 7946 0000");
        payload.put("sourceId", seeded.sourceIds().getFirst()).put("creditedToUserId", seeded.userIds().getFirst());
        ArrayNode notes = payload.putArray("notes");
        notes.addObject().put("id", "n-1").put("content", "Strong Java background, open to relocation.");
        notes.addObject().put("id", "n-2").put("content", "<b>Reached out</b> via InMail").put("format", "html");
        payload.putArray("tags").add("Findem").add("Sourced: Java " + profileId);
        payload.putObject("resume").put("url", FILES.serve("/" + profileId + "/cv.pdf", "application/pdf", PDF).toString()).put("fileName", "cv.pdf");
        payload.putArray("attachments").addObject()
                .put("url", FILES.serve("/" + profileId + "/portfolio.pdf", "application/pdf", PDF).toString()).put("fileName", "portfolio.pdf");
        payload.putArray("candidateCustomFields").addObject().put("fieldId", customField("Candidate", "String")).put("value", "Ada");
        payload.putArray("applicationCustomFields").addObject().put("fieldId", customField("Application", "Number")).put("value", 120000);
        return payload;
    }

    private String customField(String objectType, String fieldType) {
        return org.customFieldDefinitions().stream()
                .filter(f -> f.get("objectType").asText().equals(objectType) && f.get("fieldType").asText().equals(fieldType))
                .findFirst().orElseThrow().get("id").asText();
    }

    /** Sends the command and delivers until the queue is empty (redeliveries included); returns the command id. */
    private String export(ObjectNode payload) {
        ObjectNode command = CommandHarness.command("candidate.export", tenant.tenantId(), payload);
        harness.sendValid(command);
        deliverAll();
        return command.get("commandId").asText();
    }

    private void deliverAll() {
        for (int round = 0; round < 10; round++) {
            if (harness.deliverOnce().isEmpty()) return;
        }
        throw new AssertionError("the command kept failing");
    }

    private List<JsonNode> candidatesNamed(String name) {
        return org.candidates().stream().filter(c -> c.path("name").asText().equals(name)).map(c -> (JsonNode) c).toList();
    }

    private List<JsonNode> applicationsOf(String candidateId) {
        return org.applications().stream().filter(a -> a.path("candidate").path("id").asText().equals(candidateId))
                .map(a -> (JsonNode) a).toList();
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.path(field).asText()).toList();
    }

    // ---------------------------------------------------------------- modes

    @Test
    void application_withEveryPart_landsInAshbyOnceAndIsReportedWithItsIds() {
        String commandId = export(fullPayload("fp-ada", "Ada Lovelace", "ada@example.com"));

        JsonNode result = harness.result(commandId);
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        JsonNode output = result.get("output");
        String candidateId = output.get("candidateId").asText();
        assertThat(output.get("candidateCreated").asBoolean()).isTrue();

        JsonNode candidate = org.candidate(candidateId);
        assertThat(candidatesNamed("Ada Lovelace")).hasSize(1);
        assertThat(texts(candidate.get("emailAddresses"), "value")).contains("ada@example.com", "alt.ada@example.com");
        assertThat(texts(candidate.get("tags"), "title")).contains("Findem", "Sourced: Java fp-ada");
        assertThat(candidate.path("resumeFileHandle").path("name").asText()).isEqualTo("cv.pdf");
        assertThat(texts(candidate.get("fileHandles"), "name")).contains("portfolio.pdf");
        assertThat(candidate.path("source").path("id").asText()).isEqualTo(seeded.sourceIds().getFirst());
        assertThat(candidate.path("creditedToUser").path("id").asText()).isEqualTo(seeded.userIds().getFirst());
        assertThat(texts(candidate.get("customFields"), "value")).contains("Ada");
        assertThat(org.notes(candidateId)).extracting(n -> n.get("content").asText())
                .containsExactlyInAnyOrder("Strong Java background, open to relocation.", "<b>Reached out</b> via InMail");

        List<JsonNode> applications = applicationsOf(candidateId);
        assertThat(applications).hasSize(1);
        JsonNode application = applications.getFirst();
        assertThat(application.get("id").asText()).isEqualTo(output.get("applicationId").asText());
        assertThat(application.path("job").path("id").asText()).isEqualTo(jobId);
        assertThat(application.path("currentInterviewStage").path("type").asText()).isEqualTo("PreInterviewScreen");
        assertThat(texts(application.get("customFields"), "value")).contains("120000");
        assertThat(identity.candidateForProfile(tenant.tenantId(), "fp-ada")).contains(candidateId);
        assertThat(identity.candidateForEmail(tenant.tenantId(), "ALT.ada@example.com")).contains(candidateId);
    }

    @Test
    void application_atAGivenStage_startsThere() {
        String planId = org.jobs().stream().filter(j -> j.get("id").asText().equals(jobId)).findFirst().orElseThrow()
                .get("defaultInterviewPlanId").asText();
        JsonNode active = org.interviewStages(planId).stream().filter(s -> s.get("type").asText().equals("Active")).findFirst().orElseThrow();
        ObjectNode payload = payload("fp-stage", "application", "Stage Person", "stage@example.com").put("stageId", active.get("id").asText());

        JsonNode output = harness.result(export(payload)).get("output");

        JsonNode application = org.application(output.get("applicationId").asText());
        assertThat(application.path("currentInterviewStage").path("id").asText()).isEqualTo(active.get("id").asText());
    }

    @Test
    void lead_goesToTheJobsFirstLeadStage() {
        JsonNode output = harness.result(export(payload("fp-lead", "lead", "Lead Person", "lead@example.com"))).get("output");

        JsonNode application = org.application(output.get("applicationId").asText());
        assertThat(application.path("status").asText()).isEqualTo("Lead");
        assertThat(application.path("currentInterviewStage").path("type").asText()).isEqualTo("Lead");
    }

    @Test
    void prospect_hasNoApplicationAndJoinsTheProject() {
        String projectId = seeded.projectIds().getFirst();
        ObjectNode payload = payload("fp-prospect", "prospect", "Prospect Person", "prospect@example.com").put("projectId", projectId);

        JsonNode output = harness.result(export(payload)).get("output");

        String candidateId = output.get("candidateId").asText();
        assertThat(applicationsOf(candidateId)).isEmpty();
        assertThat(output.get("projectId").asText()).isEqualTo(projectId);
        assertThat(org.projectIdsOf(candidateId)).containsExactly(projectId);
    }

    // ---------------------------------------------------------------- no duplicates

    @Test
    void reExport_updatesTheSameCandidateAndAddsNoSecondApplication() {
        String first = harness.result(export(payload("fp-grace", "application", "Grace Hopper", "grace@example.com")))
                .get("output").get("candidateId").asText();

        ObjectNode again = payload("fp-grace", "application", "Grace B. Hopper", "grace@example.com");
        again.with("candidate").put("githubUrl", "https://github.com/grace");
        JsonNode output = harness.result(export(again)).get("output");

        assertThat(output.get("candidateId").asText()).isEqualTo(first);
        assertThat(output.get("candidateCreated").asBoolean()).isFalse();
        assertThat(output.get("matchedBy").asText()).isEqualTo("profile");
        assertThat(output.get("applicationCreated").asBoolean()).isFalse();
        assertThat(org.candidate(first).get("name").asText()).isEqualTo("Grace B. Hopper");
        assertThat(candidatesNamed("Grace Hopper")).isEmpty();
        assertThat(applicationsOf(first)).hasSize(1);
    }

    @Test
    void candidateCreatedOutsideFindem_isFoundByEmailInAshby() {
        JsonNode existing = org.candidates().getFirst();
        String email = existing.path("primaryEmailAddress").path("value").asText();
        int before = org.candidates().size();

        JsonNode output = harness.result(export(payload("fp-existing", "lead", existing.get("name").asText(), email))).get("output");

        assertThat(output.get("candidateId").asText()).isEqualTo(existing.get("id").asText());
        assertThat(output.get("matchedBy").asText()).isEqualTo("ashby_search");
        assertThat(org.candidates()).hasSize(before);
        assertThat(identity.candidateForProfile(tenant.tenantId(), "fp-existing")).contains(existing.get("id").asText());
    }

    @Test
    void sameMessageDeliveredTwice_hasOneEffectAndOneResult() {
        ObjectNode command = CommandHarness.command("candidate.export", tenant.tenantId(),
                fullPayload("fp-twice", "Twice Delivered", "twice@example.com"));
        harness.send(command);
        harness.send(command);
        deliverAll();

        String commandId = command.get("commandId").asText();
        String candidateId = harness.result(commandId).get("output").get("candidateId").asText();
        assertThat(candidatesNamed("Twice Delivered")).hasSize(1);
        assertThat(applicationsOf(candidateId)).hasSize(1);
        assertThat(org.notes(candidateId)).hasSize(2);
    }

    @ParameterizedTest(name = "crash after {0}")
    @ValueSource(strings = {"candidate.create", "application.create", "tag", "customField.setValues.Candidate",
            "customField.setValues.Application", "note", "resume", "file"})
    void crashAfterAnAshbyWrite_redeliveryLeavesExactlyOneOfEachAndOneResult(String step) {
        String profileId = "fp-crash-" + UUID.randomUUID().toString().substring(0, 6);
        String name = "Crash " + step;
        CrashingStepProbe.CRASH_AFTER.set(step);

        String commandId = export(fullPayload(profileId, name, profileId + "@example.com"));

        assertThat(CrashingStepProbe.CRASH_AFTER.get()).as("the crash happened").isNull();
        JsonNode result = harness.result(commandId);
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("succeeded");
        List<JsonNode> candidates = candidatesNamed(name);
        assertThat(candidates).hasSize(1);
        String candidateId = candidates.getFirst().get("id").asText();
        assertThat(applicationsOf(candidateId)).hasSize(1);
        assertThat(org.notes(candidateId)).hasSize(2);
        JsonNode candidate = org.candidate(candidateId);
        assertThat(texts(candidate.get("tags"), "title")).doesNotHaveDuplicates().hasSize(2);
        assertThat(texts(candidate.get("fileHandles"), "name").stream().filter("portfolio.pdf"::equals)).hasSize(1);
        assertThat(org.files().stream().filter(f -> Objects.equals(f.name(), "cv.pdf") || Objects.equals(f.name(), "portfolio.pdf")))
                .isNotEmpty();
    }

    @Test
    void crashAfterAddingToTheProject_redeliveryAddsItOnce() {
        String projectId = seeded.projectIds().getFirst();
        CrashingStepProbe.CRASH_AFTER.set("project");

        String commandId = export(payload("fp-crash-project", "prospect", "Crash Project", "cp@example.com").put("projectId", projectId));

        assertThat(CrashingStepProbe.CRASH_AFTER.get()).as("the crash happened").isNull();
        String candidateId = harness.result(commandId).get("output").get("candidateId").asText();
        assertThat(candidatesNamed("Crash Project")).hasSize(1);
        assertThat(org.projectIdsOf(candidateId)).containsExactly(projectId);
    }

    @Test
    void transientFailureOnEveryAttempt_reportsRetriesExhaustedAndLeavesTheMessageToTheDeadLetterQueue() {
        for (int i = 0; i < 100; i++) {
            simulator.faults().next("job.info", io.ashbysync.ashby.simulator.Fault.status(503));
        }
        ObjectNode command = CommandHarness.command("candidate.export", tenant.tenantId(),
                payload("fp-flaky", "application", "Flaky Person", "flaky@example.com"));
        harness.send(command);

        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThat(harness.deliverOnce()).as("attempt %d fails and goes back", attempt).hasSize(1);
        }
        simulator.faults().clear();

        JsonNode result = harness.result(command.get("commandId").asText());
        assertThat(result.path("error").path("code").asText()).isEqualTo("retries_exhausted");
        assertThat(harness.deliverOnce()).as("SQS moved it to the dead-letter queue").isEmpty();
        assertThat(harness.deadLetters()).anySatisfy(body -> assertThat(body).contains(command.get("commandId").asText()));
        assertThat(candidatesNamed("Flaky Person")).isEmpty();
    }

    // ---------------------------------------------------------------- bad input

    private JsonNode failure(ObjectNode command) {
        harness.send(command);
        deliverAll();
        JsonNode result = harness.result(command.get("commandId").asText());
        assertThat(result.path("status").asText()).isEqualTo("failed");
        return result.get("error");
    }

    @Test
    void documentedSchema_refusesWhatTheCommandRefuses() {
        ObjectNode noProfile = payload("fp-x", "application", "No Profile", "np@example.com");
        noProfile.remove("findemProfileId");
        ObjectNode prospectWithJob = payload("fp-y", "prospect", "P", "p@example.com").put("jobId", jobId);
        for (ObjectNode bad : List.of(noProfile, prospectWithJob, payload("fp-z", "application", "Bad", "not-an-email"))) {
            assertThat(io.ashbysync.testing.ContractSchemas.problems("command.schema.json",
                    CommandHarness.command("candidate.export", tenant.tenantId(), bad).toString())).as(bad.toString()).isNotEmpty();
        }
    }

    @Test
    void missingField_isNamed() {
        ObjectNode payload = payload("fp-x", "application", "No Profile", "np@example.com");
        payload.remove("findemProfileId");
        JsonNode error = failure(CommandHarness.command("candidate.export", tenant.tenantId(), payload));
        assertThat(error.get("code").asText()).isEqualTo("invalid_payload");
        assertThat(error.get("field").asText()).isEqualTo("payload.findemProfileId");
    }

    @Test
    void invalidEmail_isNamed() {
        JsonNode error = failure(CommandHarness.command("candidate.export", tenant.tenantId(),
                payload("fp-bad-email", "application", "Bad Email", "not-an-email")));
        assertThat(error.get("code").asText()).isEqualTo("invalid_payload");
        assertThat(error.get("field").asText()).isEqualTo("payload.candidate.emails[0]");
    }

    @Test
    void unknownType_isRefused() {
        JsonNode error = failure(CommandHarness.command("candidate.teleport", tenant.tenantId(), JSON.createObjectNode()));
        assertThat(error.get("code").asText()).isEqualTo("unknown_command_type");
    }

    @Test
    void unknownJob_isRefusedBeforeAnythingIsWritten() {
        int before = org.candidates().size();
        ObjectNode payload = payload("fp-nojob", "application", "No Job", "nojob@example.com").put("jobId", UUID.randomUUID().toString());
        JsonNode error = failure(CommandHarness.command("candidate.export", tenant.tenantId(), payload));
        assertThat(error.get("code").asText()).isEqualTo("job_not_found");
        assertThat(org.candidates()).hasSize(before);
    }

    @Test
    void oversizedAttachment_isRefusedBeforeAnythingIsWritten() {
        int before = org.candidates().size();
        ObjectNode payload = payload("fp-big", "application", "Big File", "big@example.com");
        payload.putObject("resume").put("url", FILES.serve("/big/cv.pdf", "application/pdf", new byte[2 * 1024 * 1024]).toString()).put("fileName", "cv.pdf");
        JsonNode error = failure(CommandHarness.command("candidate.export", tenant.tenantId(), payload));
        assertThat(error.get("code").asText()).isEqualTo("attachment_too_large");
        assertThat(org.candidates()).hasSize(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resume", "attachments"})
    void fileNameWithCrLf_isRefusedAtValidation_namingTheField_beforeAnythingIsWritten(String part) {
        int before = org.candidates().size();
        ObjectNode payload = payload("fp-crlf-" + part, "application", "CRLF Name", "crlf@example.com");
        ObjectNode file = JSON.createObjectNode().put("url", FILES.serve("/crlf/cv.pdf", "application/pdf", PDF).toString())
                .put("fileName", "cv.pdf\r\nX-Injected: header");
        if (part.equals("resume")) payload.set("resume", file);
        else payload.putArray("attachments").add(file);
        ObjectNode command = CommandHarness.command("candidate.export", tenant.tenantId(), payload);
        assertThat(io.ashbysync.testing.ContractSchemas.problems("command.schema.json", command.toString()))
                .as("the documented schema refuses it too").isNotEmpty();

        JsonNode error = failure(command);

        assertThat(error.get("code").asText()).isEqualTo("invalid_payload");
        assertThat(error.get("field").asText()).isEqualTo(part.equals("resume") ? "payload.resume.fileName" : "payload.attachments[0].fileName");
        assertThat(error.get("message").asText()).contains("control characters");
        assertThat(org.candidates()).hasSize(before);
        assertThat(simulator.requestLog("file.createFileUploadHandle")).noneMatch(r -> tenant.apiKey().equals(r.apiKey()));
    }

    @Test
    void attachmentUrlWithAPortOutOfRange_failsAtOnceAsInvalidPayload_notRetried() {
        int before = org.candidates().size();
        ObjectNode payload = payload("fp-bad-port", "application", "Bad Port", "badport@example.com");
        payload.putArray("attachments").addObject().put("url", "http://127.0.0.1:99999/portfolio.pdf").put("fileName", "portfolio.pdf");
        ObjectNode command = CommandHarness.command("candidate.export", tenant.tenantId(), payload);
        harness.send(command);

        assertThat(harness.deliverOnce()).as("the first attempt answers; nothing goes back to the queue").isEmpty();

        JsonNode result = harness.result(command.get("commandId").asText());
        assertThat(result.path("status").asText()).isEqualTo("failed");
        assertThat(result.path("error").path("code").asText()).isEqualTo("invalid_payload");
        assertThat(result.path("error").path("field").asText()).isEqualTo("payload.attachments[0].url");
        assertThat(harness.deliverOnce()).as("no redelivery").isEmpty();
        assertThat(org.candidates()).hasSize(before);
    }

    @Test
    void downloadStallingMidBody_endsAtTheInvocationDeadline_asATransientFailure() {
        URI stalling = FILES.stallAfter("/stall/cv.pdf", "application/pdf", "%PDF-1.4 first part".getBytes(StandardCharsets.UTF_8), 1_000_000);
        ExportRequest.FileRef file = new ExportRequest.FileRef(stalling, "cv.pdf", null);

        // the guard only stops a hang from blocking the build: the assertion is on how the download ends
        assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                assertThatThrownBy(() -> Deadline.within(Instant.now().plusSeconds(2), () -> fileTransfer.download(file)))
                        .isInstanceOf(Deadline.Exceeded.class)
                        .hasMessageContaining("download of cv.pdf"));
    }

    @Test
    void wrongTypeAttachment_isRefusedBeforeAnythingIsWritten() {
        int before = org.candidates().size();
        ObjectNode payload = payload("fp-exe", "application", "Exe File", "exe@example.com");
        payload.putArray("attachments").addObject()
                .put("url", FILES.serve("/exe/setup.exe", "application/x-msdownload", new byte[] {0x4d, 0x5a}).toString()).put("fileName", "setup.exe");
        JsonNode error = failure(CommandHarness.command("candidate.export", tenant.tenantId(), payload));
        assertThat(error.get("code").asText()).isEqualTo("attachment_type_not_allowed");
        assertThat(org.candidates()).hasSize(before);
    }
}
