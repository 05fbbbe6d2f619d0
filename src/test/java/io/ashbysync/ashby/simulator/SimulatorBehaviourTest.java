package io.ashbysync.ashby.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Facts of ashby-api.md the OpenAPI document does not cover: auth, headers, paging, sync, limits, faults. */
class SimulatorBehaviourTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T15:00:00Z"));
    private final AshbySimulator sim = AshbySimulator.start(SimulatorOptions.defaults().clock(clock));
    private final SimulatedOrganization org = sim.createOrganization("key-a");
    private final SimClient client = new SimClient(sim, "key-a");

    @AfterEach
    void stop() {
        sim.close();
    }

    private static String code(JsonNode r) {
        return r.path("errorInfo").path("code").asText();
    }

    @Test
    void authFailuresUseTheDocumentedStatuses() {
        HttpResponse<String> missing = new SimClient(sim, null).post("candidate.list", "{}");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).containsIgnoringCase("api key");
        assertThat(new SimClient(sim, "unknown").post("candidate.list", "{}").statusCode()).isEqualTo(403);
        org.permissions(Set.of("jobsRead"));
        HttpResponse<String> denied = client.post("candidate.list", "{}");
        assertThat(denied.statusCode()).isEqualTo(403);
        JsonNode body = Json.parse(denied.body());
        assertThat(body.get("success").asBoolean()).isFalse();
        assertThat(body.get("errors").get(0).asText()).isEqualTo("missing_endpoint_permission");
        assertThat(code(body)).isEqualTo("missing_endpoint_permission");
        assertThat(body.get("errorInfo").get("requestId").asText()).isEqualTo(denied.headers()
                .firstValue("x-ashby-request-id").orElseThrow());
        assertThat(client.post("job.list", "{}").statusCode()).isEqualTo(200);
        org.deactivateApiKey();
        assertThat(client.post("job.list", "{}").statusCode()).isEqualTo(403);
    }

    @Test
    void everyResponseCarriesRequestIdAndVersionHeaders() {
        HttpResponse<String> r = client.post("candidate.list", "{}");
        assertThat(r.headers().firstValue("x-ashby-request-id").orElseThrow()).matches("[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(r.headers().firstValue("Ashby-Version")).contains("2026-01-01");
        assertThat(r.headers().firstValue("Ashby-Version-Status")).contains("active");
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        sim.setVersionDeprecated(true);
        assertThat(client.post("candidate.list", "{}").headers().firstValue("Ashby-Version-Status"))
                .contains("deprecated");
        assertThat(code(client.call("candidate.list", "{}", "Ashby-Version", "2019-01-01")))
                .isEqualTo("invalid_api_version");
        assertThat(client.call("candidate.list", "{}", "Ashby-Version", "2026-01-01").get("success").asBoolean())
                .isTrue();
    }

    @Test
    void unknownEndpointIs404AndNonJsonBodyIsInvalidInput() {
        assertThat(client.post("candidate.teleport", "{}").statusCode()).isEqualTo(404);
        HttpResponse<String> r = client.post("candidate.create", "name=Jo");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(code(Json.parse(r.body()))).isEqualTo("invalid_input");
    }

    @Test
    void pagingReturnsEveryRecordOnceAndSyncTokenReturnsOnlyChanges() {
        SeededTenantGenerator.SeededTenant t = SeededTenantGenerator.seed(3).candidates(250).generate(org);
        Set<String> seen = new HashSet<>();
        String cursor = null;
        String syncToken = null;
        int pages = 0;
        do {
            JsonNode page = client.call("candidate.list", cursor == null ? "{\"limit\":100}"
                    : "{\"limit\":100,\"cursor\":\"" + cursor + "\"}");
            page.get("results").forEach(c -> assertThat(seen.add(c.get("id").asText())).isTrue());
            pages++;
            cursor = page.path("nextCursor").asText(null);
            if (!page.get("moreDataAvailable").asBoolean()) {
                syncToken = page.get("syncToken").asText();
                assertThat(cursor).isNull();
            } else {
                assertThat(page.has("syncToken")).isFalse();
                assertThat(cursor.length()).isGreaterThan(100);
            }
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(250);

        String changed = t.candidateIds().get(42);
        client.results("candidate.update", "{\"candidateId\":\"" + changed + "\",\"name\":\"Changed\"}");
        String created = client.results("candidate.create", "{\"name\":\"New\"}").get("id").asText();
        JsonNode delta = client.call("candidate.list", "{\"syncToken\":\"" + syncToken + "\"}");
        List<String> deltaIds = new java.util.ArrayList<>();
        delta.get("results").forEach(c -> deltaIds.add(c.get("id").asText()));
        assertThat(deltaIds).containsExactlyInAnyOrder(changed, created);
        assertThat(delta.get("moreDataAvailable").asBoolean()).isFalse();
        String next = delta.get("syncToken").asText();
        assertThat(client.call("candidate.list", "{\"syncToken\":\"" + next + "\"}").get("results")).isEmpty();
    }

    @Test
    void expiredAndGarbageCursorsAndTokensAnswerTheirCodes() {
        SeededTenantGenerator.seed(4).candidates(30).generate(org);
        JsonNode first = client.call("candidate.list", "{\"limit\":10}");
        String cursor = first.get("nextCursor").asText();
        assertThat(code(client.call("candidate.list", "{\"cursor\":\"garbage\"}"))).isEqualTo("invalid_next_cursor");
        assertThat(code(client.call("candidate.list", "{\"syncToken\":\"garbage\"}")))
                .isEqualTo("sync_token_invalid");
        org.expireCursors();
        assertThat(code(client.call("candidate.list", "{\"cursor\":\"" + cursor + "\"}")))
                .isEqualTo("next_cursor_expired");
        JsonNode all = client.call("candidate.list", "{}");
        String token = all.get("syncToken").asText();
        org.expireSyncTokens();
        assertThat(code(client.call("candidate.list", "{\"syncToken\":\"" + token + "\"}")))
                .isEqualTo("sync_token_expired");
        assertThat(code(client.call("candidate.list", "{\"limit\":101}"))).isEqualTo("invalid_input");

        String fresh = client.call("candidate.list", "{}").get("syncToken").asText();
        org.maxIncrementalSyncPages(1);
        for (int i = 0; i < 3; i++) {
            client.results("candidate.create", "{\"name\":\"C" + i + "\"}");
        }
        assertThat(code(client.call("candidate.list", "{\"syncToken\":\"" + fresh + "\",\"limit\":2}")))
                .isEqualTo("incremental_sync_too_large");
    }

    @Test
    void rateLimitIsASlidingWindowPerKeyAnd429UsesTheErrorEnvelope() {
        sim.createOrganization("key-b");
        sim.setRateLimit(3);
        sim.setRetryAfterSeconds(7);
        for (int i = 0; i < 3; i++) {
            assertThat(client.post("job.list", "{}").statusCode()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(10));
        }
        HttpResponse<String> limited = client.post("job.list", "{}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(code(Json.parse(limited.body()))).isEqualTo("rate_limit_exceeded");
        assertThat(limited.headers().firstValue("Retry-After")).contains("7");
        assertThat(limited.headers().firstValue("X-RateLimit-Scope")).isEmpty();
        assertThat(new SimClient(sim, "key-b").post("job.list", "{}").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(31)); // the first request leaves the 60 s window
        assertThat(client.post("job.list", "{}").statusCode()).isEqualTo(200);
        assertThat(sim.requestCount("key-a")).isEqualTo(5);
        assertThat(sim.maxRequestsInAnySlidingWindow("key-a", Duration.ofSeconds(60))).isEqualTo(4);
        assertThat(sim.maxRequestsInAnySlidingWindow("key-a", Duration.ofSeconds(15))).isEqualTo(2);

        sim.setRateLimit(0);
        sim.setPartnerRateLimit(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(client.post("job.list", "{}").statusCode()).isEqualTo(200);
        HttpResponse<String> partner = new SimClient(sim, "key-b").post("job.list", "{}");
        assertThat(partner.statusCode()).isEqualTo(429);
        assertThat(partner.headers().firstValue("X-RateLimit-Scope")).contains("integration-partner");
    }

    @Test
    void scriptedFaultsHitTheNamedEndpointInOrder() {
        sim.faults().next("candidate.create", Fault.status(503))
                .next("candidate.create", Fault.html(502))
                .next("candidate.create", Fault.rawBody(200, "{\"results\":[]}"))
                .next("candidate.create", Fault.rateLimited(3))
                .next("candidate.create", Fault.partnerRateLimited(null));
        assertThat(client.post("candidate.create", "{\"name\":\"A\"}").statusCode()).isEqualTo(503);
        HttpResponse<String> html = client.post("candidate.create", "{\"name\":\"A\"}");
        assertThat(html.statusCode()).isEqualTo(502);
        assertThat(html.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(client.post("candidate.create", "{\"name\":\"A\"}").body()).isEqualTo("{\"results\":[]}");
        HttpResponse<String> limited = client.post("candidate.create", "{\"name\":\"A\"}");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("3");
        assertThat(client.post("candidate.create", "{\"name\":\"A\"}").headers().firstValue("X-RateLimit-Scope"))
                .contains("integration-partner");
        assertThat(org.candidates()).isEmpty();
        assertThat(client.post("candidate.list", "{}").statusCode()).isEqualTo(200);
        assertThat(client.post("candidate.create", "{\"name\":\"A\"}").statusCode()).isEqualTo(200);
        assertThat(org.candidates()).hasSize(1);
    }

    @Test
    void droppedConnectionsHappenBeforeOrAfterTheWriteIsApplied() {
        sim.faults().next("candidate.create", Fault.dropConnection())
                .next("candidate.create", Fault.dropConnectionAfterApply());
        assertThatThrownBy(() -> client.post("candidate.create", "{\"name\":\"Before\"}"))
                .hasRootCauseInstanceOf(java.io.IOException.class);
        assertThat(org.candidates()).isEmpty();
        assertThatThrownBy(() -> client.post("candidate.create", "{\"name\":\"After\"}"))
                .hasRootCauseInstanceOf(java.io.IOException.class);
        assertThat(org.candidates()).extracting(c -> c.get("name").asText()).containsExactly("After");
        assertThat(sim.requestLog("candidate.create")).extracting(RequestRecord::httpStatus).containsExactly(0, 0);
    }

    @Test
    void delayAfterApplyOutlastsAClientTimeoutButTheWriteHappened() throws Exception {
        sim.faults().next("candidate.create", Fault.delayAfterApply(Duration.ofSeconds(3)));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(sim.baseUrl() + "/candidate.create"))
                .timeout(Duration.ofMillis(300))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("key-a:".getBytes()))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"Slow\"}")).build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
        assertThat(org.candidates()).hasSize(1);
    }

    @Test
    void changeStageToArchivedValidatesEverythingAndSchedulesTheEmail() {
        SeededTenantGenerator.SeededTenant t = SeededTenantGenerator.seed(5).candidates(5).generate(org);
        String job = org.jobs().stream().filter(j -> "Open".equals(j.get("status").asText())).findFirst()
                .orElseThrow().get("id").asText();
        String cand = client.results("candidate.create", "{\"name\":\"E\",\"email\":\"e@example.com\"}")
                .get("id").asText();
        JsonNode app = client.results("application.create", "{\"candidateId\":\"" + cand + "\",\"jobId\":\""
                + job + "\"}");
        assertThat(app.get("status").asText()).isEqualTo("Lead");
        assertThat(app.get("applicationHistory")).hasSize(1);
        String appId = app.get("id").asText();
        String plan = app.get("currentInterviewStage").get("interviewPlanId").asText();
        String archived = stage(plan, "Archived");
        String active = stage(plan, "Active");
        String leadStage = app.get("currentInterviewStage").get("id").asText();
        String reason = t.archiveReasonIds().get(0);

        assertThat(code(change(appId, archived, null, null))).isEqualTo("invalid_input");
        assertThat(code(change(appId, active, reason, null))).isEqualTo("invalid_input");
        assertThat(code(change(appId, archived, "00000000-0000-4000-8000-000000000000", null)))
                .isEqualTo("archive_reason_not_found");
        assertThat(code(change(appId, archived, reason, t.nonEmailTemplateId())))
                .isEqualTo("communication_template_not_allowed");
        assertThat(code(change(appId, archived, reason, t.archivedTemplateId())))
                .isEqualTo("communication_template_not_allowed");
        assertThat(code(change(appId, archived, reason, Ids.uuid()))).isEqualTo("communication_template_not_found");
        assertThat(org.application(appId).get("currentInterviewStage").get("id").asText()).isEqualTo(leadStage);

        JsonNode done = change(appId, archived, reason, t.emailTemplateId());
        assertThat(done.get("results").get("status").asText()).isEqualTo("Archived");
        SimulatedOrganization.ScheduledEmail email = org.scheduledEmails().get(0);
        // 15:00Z is 07:00 in Los Angeles: the next 09:32 there is 17:32Z the same day
        assertThat(email.sendAt()).isEqualTo(Instant.parse("2026-03-02T17:32:00Z"));
        assertThat(email.toEmail()).isEqualTo("e@example.com");
        JsonNode history = client.results("application.listHistory", "{\"applicationId\":\"" + appId + "\"}");
        assertThat(history.get(1).get("actorId").asText()).isEqualTo(org.apiKeyUserId());
    }

    @Test
    void onBehalfOfAttributesHistoryOrIsRejectedWhenNotAllowed() {
        SeededTenantGenerator.SeededTenant t = SeededTenantGenerator.seed(6).candidates(20).generate(org);
        JsonNode app = org.applications().stream().filter(a -> "Lead".equals(a.get("status").asText())
                || "Active".equals(a.get("status").asText())).findFirst().orElseThrow();
        String plan = app.get("currentInterviewStage").get("interviewPlanId").asText();
        String user = t.userIds().get(3);
        String body = "{\"applicationId\":\"" + app.get("id").asText() + "\",\"interviewStageId\":\""
                + stage(plan, "Offer") + "\"}";
        JsonNode moved = client.call("application.changeStage", body, "X-On-Behalf-Of", user);
        JsonNode hist = moved.get("results").get("applicationHistory");
        assertThat(hist.get(hist.size() - 1).get("actorId").asText()).isEqualTo(user);
        org.allowOnBehalfOf(false);
        HttpResponse<String> rejected = client.post("application.changeStage", body, "X-On-Behalf-Of", user);
        assertThat(rejected.statusCode()).isEqualTo(403);
        assertThat(code(Json.parse(rejected.body()))).isEqualTo("on_behalf_of_not_allowed");
    }

    @Test
    void mergedAndDeletedCandidatesAreGone_andTheSurvivorHasBothCandidatesNotes() {
        SeededTenantGenerator.SeededTenant t = SeededTenantGenerator.seed(8).candidates(10).generate(org);
        String gone = t.candidateIds().stream().filter(c -> !org.candidate(c).get("applicationIds").isEmpty())
                .findFirst().orElseThrow();
        String keep = t.candidateIds().stream().filter(c -> !c.equals(gone)).findFirst().orElseThrow();
        List<String> movedApps = new java.util.ArrayList<>();
        org.candidate(gone).get("applicationIds").forEach(a -> movedApps.add(a.asText()));
        String goneNote = org.addNote(gone, "met at a meetup").get("id").asText();
        String keptNote = org.addNote(keep, "strong referral").get("id").asText();
        org.mergeCandidates(gone, keep);
        List<String> survivorNotes = new java.util.ArrayList<>();
        client.results("candidate.listNotes", "{\"candidateId\":\"" + keep + "\"}")
                .forEach(n -> survivorNotes.add(n.get("id").asText()));
        assertThat(survivorNotes).contains(goneNote, keptNote);
        assertThat(code(client.call("candidate.info", "{\"id\":\"" + gone + "\"}"))).isEqualTo("candidate_not_found");
        assertThat(org.candidate(keep).get("applicationIds").toString()).contains(movedApps);
        assertThat(org.application(movedApps.get(0)).get("candidate").get("id").asText()).isEqualTo(keep);
        org.deleteCandidate(keep);
        assertThat(code(client.call("candidate.info", "{\"id\":\"" + keep + "\"}"))).isEqualTo("candidate_not_found");
    }

    @Test
    void candidateTagCreateIsIdempotentByTitle() {
        String first = client.results("candidateTag.create", "{\"title\":\"Findem\"}").get("id").asText();
        assertThat(client.results("candidateTag.create", "{\"title\":\"Findem\"}").get("id").asText())
                .isEqualTo(first);
    }

    private JsonNode change(String appId, String stage, String reason, String template) {
        StringBuilder b = new StringBuilder("{\"applicationId\":\"" + appId + "\",\"interviewStageId\":\""
                + stage + "\"");
        if (reason != null) {
            b.append(",\"archiveReasonId\":\"").append(reason).append('"');
        }
        if (template != null) {
            b.append(",\"archiveEmail\":{\"communicationTemplateId\":\"").append(template).append("\"}");
        }
        return client.call("application.changeStage", b.append('}').toString());
    }

    private String stage(String plan, String type) {
        return org.interviewStages(plan).stream().filter(s -> type.equals(s.get("type").asText())).findFirst()
                .orElseThrow().get("id").asText();
    }
}
