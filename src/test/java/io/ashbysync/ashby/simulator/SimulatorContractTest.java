package io.ashbysync.ashby.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/** Every simulated endpoint's success response validates against its 200 schema in Ashby's OpenAPI document. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulatorContractTest {
    private AshbySimulator sim;
    private SimulatedOrganization org;
    private SeededTenantGenerator.SeededTenant tenant;
    private SimClient client;
    private WebhookReceiver receiver;

    @BeforeAll
    void start() throws Exception {
        sim = AshbySimulator.start();
        org = sim.createOrganization("contract-key");
        tenant = SeededTenantGenerator.seed(7).candidates(150).generate(org);
        client = new SimClient(sim, "contract-key");
        receiver = new WebhookReceiver();
    }

    @AfterAll
    void stop() {
        sim.close();
        receiver.close();
    }

    private String q(String s) {
        return "\"" + s + "\"";
    }

    @TestFactory
    Stream<DynamicTest> everyEndpointAnswersWithItsDocumentedSuccessShape() {
        String cand = tenant.candidateIds().get(0);
        String job = openJob();
        String plan = tenant.interviewPlanIds().get(0);
        Map<String, Supplier<String>> calls = new LinkedHashMap<>();
        calls.put("candidate.create", () -> "{\"name\":\"Rita Levi\",\"email\":\"rita@example.com\","
                + "\"phoneNumber\":\"+15550100\",\"linkedInUrl\":\"https://www.linkedin.com/in/rita\","
                + "\"website\":\"https://rita.dev\",\"alternateEmailAddresses\":[\"r@work.example\"],"
                + "\"sourceId\":" + q(tenant.sourceIds().get(0)) + ",\"location\":{\"city\":\"Rome\","
                + "\"country\":\"Italy\"}}");
        calls.put("candidate.update", () -> "{\"candidateId\":" + q(cand) + ",\"websiteUrl\":\"https://x.dev\","
                + "\"alternateEmail\":\"alt@example.com\",\"name\":\"Renamed\"}");
        calls.put("candidate.info", () -> "{\"id\":" + q(cand) + "}");
        calls.put("candidate.list", () -> "{\"limit\":5}");
        calls.put("candidate.search", () -> "{\"name\":\"a\"}");
        calls.put("candidate.addTag", () -> "{\"candidateId\":" + q(cand) + ",\"tagId\":"
                + q(tenant.tagIds().get(0)) + "}");
        calls.put("candidate.createNote", () -> "{\"candidateId\":" + q(cand)
                + ",\"note\":{\"type\":\"text/html\",\"value\":\"<b>hi</b><script>x</script>\"}}");
        calls.put("candidate.listNotes", () -> "{\"candidateId\":" + q(cand) + "}");
        calls.put("file.createFileUploadHandle", () -> "{\"fileUploadContext\":\"CandidateResume\","
                + "\"filename\":\"cv.pdf\",\"contentType\":\"application/pdf\",\"contentLength\":10}");
        calls.put("candidate.uploadResume", () -> "{\"candidateId\":" + q(cand) + ",\"resumeHandle\":"
                + q(FilesTest.upload(client, "CandidateResume", "cv.pdf", "%PDF-1.4 x".getBytes())) + "}");
        calls.put("candidate.uploadFile", () -> "{\"candidateId\":" + q(cand) + ",\"fileHandle\":"
                + q(FilesTest.upload(client, "CandidateFiles", "notes.txt", "hello".getBytes())) + "}");
        calls.put("file.info", () -> "{\"fileHandle\":" + q(org.candidate(cand).get("resumeFileHandle")
                .get("handle").asText()) + "}");
        calls.put("candidate.addProject", () -> "{\"candidateId\":" + q(cand) + ",\"projectId\":"
                + q(tenant.projectIds().get(0)) + "}");
        calls.put("candidateTag.create", () -> "{\"title\":\"New tag\"}");
        calls.put("candidateTag.list", () -> "{\"includeArchived\":true}");
        calls.put("application.create", () -> "{\"candidateId\":" + q(cand) + ",\"jobId\":" + q(job) + "}");
        calls.put("application.info", () -> "{\"applicationId\":" + q(tenant.applicationIds().get(0)) + "}");
        calls.put("application.list", () -> "{\"limit\":10}");
        calls.put("application.changeStage", () -> {
            JsonNode app = client.results("application.create", "{\"candidateId\":" + q(cand) + ",\"jobId\":"
                    + q(job) + "}");
            String archived = stageOfType(app.get("currentInterviewStage").get("interviewPlanId").asText(),
                    "Archived");
            return "{\"applicationId\":" + q(app.get("id").asText()) + ",\"interviewStageId\":" + q(archived)
                    + ",\"archiveReasonId\":" + q(tenant.archiveReasonIds().get(0)) + ",\"archiveEmail\":{"
                    + "\"communicationTemplateId\":" + q(tenant.emailTemplateId()) + "}}";
        });
        calls.put("application.listHistory", () -> "{\"applicationId\":" + q(tenant.applicationIds().get(0))
                + "}");
        calls.put("application.update", () -> "{\"applicationId\":" + q(tenant.applicationIds().get(0))
                + ",\"sourceId\":" + q(tenant.sourceIds().get(1)) + "}");
        calls.put("job.list", () -> "{}");
        calls.put("job.info", () -> "{\"id\":" + q(job) + "}");
        calls.put("jobPosting.list", () -> "{}");
        calls.put("jobPosting.info", () -> "{\"jobPostingId\":" + q(org.jobPostings().get(0).get("id").asText())
                + "}");
        calls.put("interviewPlan.list", () -> "{}");
        calls.put("interviewStage.list", () -> "{\"interviewPlanId\":" + q(plan) + "}");
        calls.put("archiveReason.list", () -> "{}");
        calls.put("communicationTemplate.list", () -> "{}");
        calls.put("customField.list", () -> "{}");
        calls.put("customField.setValues", () -> "{\"objectId\":" + q(cand) + ",\"objectType\":\"Candidate\","
                + "\"values\":[{\"fieldId\":" + q(fieldId("Candidate")) + ",\"fieldValue\":\"Rita\"}]}");
        calls.put("source.list", () -> "{}");
        calls.put("user.list", () -> "{}");
        calls.put("user.search", () -> "{\"email\":" + q(org.users().get(1).get("email").asText()) + "}");
        calls.put("department.list", () -> "{}");
        calls.put("location.list", () -> "{}");
        calls.put("project.list", () -> "{}");
        calls.put("hiringTeamRole.list", () -> "{}");
        calls.put("apiKey.info", () -> "{}");
        calls.put("webhook.create", () -> "{\"webhookType\":\"candidateHire\",\"requestUrl\":" + q(receiver.url())
                + ",\"secretToken\":\"s3cret\"}");
        calls.put("webhook.update", () -> "{\"webhookId\":" + q(org.webhooks().get(0).get("id").asText())
                + ",\"enabled\":true}");
        calls.put("webhook.info", () -> "{\"webhookId\":" + q(org.webhooks().get(0).get("id").asText()) + "}");
        calls.put("webhook.delete", () -> "{\"webhookId\":" + q(org.webhooks().get(0).get("id").asText()) + "}");
        List<DynamicTest> tests = new ArrayList<>();
        calls.forEach((endpoint, body) -> tests.add(DynamicTest.dynamicTest(endpoint, () -> {
            HttpResponse<String> response = client.post(endpoint, body.get());
            String excerpt = response.body().substring(0, Math.min(600, response.body().length()));
            assertThat(response.statusCode()).as(excerpt).isEqualTo(200);
            assertThat(Json.parse(response.body()).path("success").asBoolean()).as(excerpt).isTrue();
            List<String> problems = OpenApiContract.shared().validateSuccessResponse(endpoint, response.body());
            assertThat(problems.subList(0, Math.min(problems.size(), 6))).as(endpoint + " → " + excerpt).isEmpty();
        })));
        return tests.stream();
    }

    @Test
    void namesOnlyFalseReturnsRoleObjectsThatAlsoValidate() {
        HttpResponse<String> response = client.post("hiringTeamRole.list", "{\"namesOnly\":false}");
        assertThat(OpenApiContract.shared().validateResponse("hiringTeamRole.list", response.body())).isEmpty();
        assertThat(Json.parse(response.body()).get("results").get(0).has("id")).isTrue();
    }

    @Test
    void everyErrorEnvelopeMatchesTheDocumentsErrorSchema() {
        HttpResponse<String> notFound = client.post("candidate.info", "{\"id\":\"" + Ids.uuid() + "\"}");
        HttpResponse<String> invalid = client.post("candidate.create", "{}");
        assertThat(OpenApiContract.shared().validateErrorResponse(notFound.body())).isEmpty();
        assertThat(OpenApiContract.shared().validateErrorResponse(invalid.body())).isEmpty();
    }

    @Test
    void requestValidatorRecordsContractViolationsAndAnswersInvalidInputNamingTheField() {
        JsonNode r = client.call("candidate.addTag", "{\"candidateId\":\"" + tenant.candidateIds().get(1) + "\"}");
        assertThat(r.get("success").asBoolean()).isFalse();
        assertThat(r.get("errorInfo").get("code").asText()).isEqualTo("invalid_input");
        assertThat(r.get("errorInfo").get("message").asText()).contains("tagId");
        assertThat(sim.contractViolations()).anySatisfy(v -> assertThat(v.endpoint()).isEqualTo("candidate.addTag"));
    }

    @Test
    void stringEncodedNumbersAndBooleansAreCoercedNotRejected() {
        JsonNode r = client.call("candidateTag.list", "{\"limit\":\"2\",\"includeArchived\":\"true\"}");
        assertThat(r.get("success").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.get("results")).hasSize(2);
    }

    private String openJob() {
        return org.jobs().stream().filter(j -> "Open".equals(j.get("status").asText())).findFirst().orElseThrow()
                .get("id").asText();
    }

    private String stageOfType(String planId, String type) {
        return org.interviewStages(planId).stream().filter(s -> type.equals(s.get("type").asText())).findFirst()
                .orElseThrow().get("id").asText();
    }

    private String fieldId(String objectType) {
        return org.customFieldDefinitions().stream().filter(f -> objectType.equals(f.get("objectType").asText())
                && "String".equals(f.get("fieldType").asText())).findFirst().orElseThrow().get("id").asText();
    }
}
