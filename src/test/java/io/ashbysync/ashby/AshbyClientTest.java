package io.ashbysync.ashby;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.budget.PartnerThrottle;
import io.ashbysync.ashby.budget.RequestBudget;
import io.ashbysync.ashby.model.ApiKeyInfo;
import io.ashbysync.ashby.model.Candidate;
import io.ashbysync.ashby.model.Source;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.Fault;
import io.ashbysync.ashby.simulator.RequestRecord;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.platform.Deadline;
import io.ashbysync.tenant.TenantSecrets;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.ashbysync.testing.TestTenants;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one Ashby client against the simulator over HTTP, with the key in SSM and the tenant row in DynamoDB (moto). */
@QuarkusTest
class AshbyClientTest {
    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    AshbyClient client;
    @Inject
    TenantStore tenants;
    @Inject
    TenantSecrets secrets;
    @Inject
    RequestBudget budget;
    @Inject
    PartnerThrottle partnerThrottle;
    @Inject
    AshbyConfig config;
    @Inject
    ObjectMapper mapper;

    private TestTenant tenant;
    private AshbySession ashby;

    @BeforeEach
    void registerTenant() {
        tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        ashby = client.forTenant(tenant.config());
    }

    @AfterEach
    void requestsMetTheContract() {
        simulator.faults().clear();
        assertThat(simulator.contractViolations()).as("requests that break Ashby's OpenAPI contract").isEmpty();
    }

    private List<RequestRecord> requests(String endpoint) {
        return simulator.requestLog(endpoint).stream().filter(r -> tenant.apiKey().equals(r.apiKey())).toList();
    }

    private Candidate createCandidate(String name, String email) {
        return ashby.call(AshbyEndpoint.CANDIDATE_CREATE, Map.of("name", name, "email", email), Candidate.class);
    }

    private long candidatesNamed(String name) {
        return tenant.organization().candidates().stream().filter(c -> name.equals(c.path("name").asText())).count();
    }

    // ---------------------------------------------------------------- requests

    @Test
    void call_sendsBasicAuthPinnedVersionAndDecodesTypedResult() {
        ApiKeyInfo info = ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);

        assertThat(info.scopes()).isNotEmpty();
        RequestRecord request = requests("apiKey.info").getFirst();
        assertThat(request.headers()).containsEntry("Ashby-Version", "2026-01-01");
        assertThat(request.headers()).doesNotContainKey("X-On-Behalf-Of");
    }

    @Test
    void onBehalfOf_sendsTheActingUser() {
        tenant.organization().allowOnBehalfOf(true);
        String userId = tenant.organization().apiKeyUserId();

        ashby.onBehalfOf(userId).call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);

        assertThat(requests("apiKey.info").getFirst().headers()).containsEntry("X-On-Behalf-Of", userId);
    }

    @Test
    void unpaginatedList_isReadWhole() {
        SeededTenantGenerator.seed(7).candidates(5).generate(tenant.organization());

        List<Source> sources = ashby.callForList(AshbyEndpoint.SOURCE_LIST, Map.of("includeArchived", true), Source.class);

        assertThat(sources).extracting(Source::id).containsExactlyInAnyOrderElementsOf(
                tenant.organization().sources().stream().map(s -> s.get("id").asText()).toList());
    }

    // ---------------------------------------------------------------- paging and sync tokens

    @Test
    void pages_fullListing_returnsEveryCandidateOnceAndTheTokenOnlyOnTheLastPage() {
        SeededTenantGenerator.seed(1).candidates(250).generate(tenant.organization());

        List<AshbyPage<Candidate>> pages = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.FULL).toList();

        assertThat(pages).hasSize(3);
        assertThat(pages.subList(0, 2)).allSatisfy(p -> assertThat(p.syncToken()).isEmpty());
        assertThat(pages.getLast().last()).isTrue();
        assertThat(pages.getLast().syncToken()).isPresent();
        List<String> ids = pages.stream().flatMap(p -> p.results().stream()).map(Candidate::id).toList();
        assertThat(ids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                tenant.organization().candidates().stream().map(c -> c.get("id").asText()).toList());
    }

    @Test
    void pages_fromSyncToken_returnOnlyWhatChangedSince() {
        SeededTenantGenerator.seed(2).candidates(120).generate(tenant.organization());
        String token = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.FULL)
                .reduce((a, b) -> b).orElseThrow().newSyncToken();
        List<Candidate> all = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.FULL)
                .flatMap(p -> p.results().stream()).toList();
        Set<String> changed = Set.of(all.get(3).id(), all.get(77).id());
        changed.forEach(id -> ashby.call(AshbyEndpoint.CANDIDATE_UPDATE, Map.of("candidateId", id, "position", "Staff Engineer"), Candidate.class));

        List<AshbyPage<Candidate>> delta = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class,
                ListPosition.incrementalFrom(token)).toList();

        assertThat(delta.stream().flatMap(p -> p.results().stream()).map(Candidate::id).collect(Collectors.toSet())).isEqualTo(changed);
        assertThat(delta.getLast().syncToken()).isPresent().get().isNotEqualTo(token);
    }

    @Test
    void pages_resumedFromACheckpoint_continueWithoutRepeatingOrSkipping() {
        SeededTenantGenerator.seed(3).candidates(230).generate(tenant.organization());
        AshbyPage<Candidate> first = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.FULL)
                .findFirst().orElseThrow();

        List<Candidate> rest = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, first.next())
                .flatMap(p -> p.results().stream()).toList();

        Set<String> seen = new HashSet<>();
        first.results().forEach(c -> assertThat(seen.add(c.id())).isTrue());
        rest.forEach(c -> assertThat(seen.add(c.id())).as("seen twice: " + c.id()).isTrue());
        assertThat(seen).hasSize(230);
    }

    @Test
    void pages_expiredSyncToken_isTheRestartFromFullSignal() {
        SeededTenantGenerator.seed(4).candidates(10).generate(tenant.organization());
        String token = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.FULL)
                .reduce((a, b) -> b).orElseThrow().newSyncToken();
        tenant.organization().expireSyncTokens();

        var expired = catchThrowableOfType(AshbyException.SyncStateExpired.class, () ->
                ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.incrementalFrom(token)).toList());

        assertThat(expired.code()).isEqualTo("sync_token_expired");
        assertThat(expired.requestId()).isPresent();
    }

    @Test
    void pages_cursorExpiredMidListing_isTheRestartFromFullSignal() {
        SeededTenantGenerator.seed(5).candidates(150).generate(tenant.organization());
        AshbyPage<Candidate> first = ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.FULL)
                .findFirst().orElseThrow();
        tenant.organization().expireCursors();

        var expired = catchThrowableOfType(AshbyException.SyncStateExpired.class, () ->
                ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, first.next()).toList());

        assertThat(expired.code()).isEqualTo("next_cursor_expired");
    }

    @Test
    void pages_garbageSyncToken_isTheRestartFromFullSignal() {
        var invalid = catchThrowableOfType(AshbyException.SyncStateExpired.class, () ->
                ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.incrementalFrom("not-a-token")).toList());
        assertThat(invalid.code()).isEqualTo("sync_token_invalid");
    }

    @Test
    void pages_moreDataWithoutANewCursor_stopsInsteadOfLooping() {
        simulator.faults().next("candidate.list", Fault.rawBody(200,
                "{\"success\":true,\"results\":[],\"moreDataAvailable\":true}"));

        var malformed = catchThrowableOfType(AshbyException.MalformedResponse.class, () ->
                ashby.pages(AshbyEndpoint.CANDIDATE_LIST, null, Candidate.class, ListPosition.FULL).toList());

        assertThat(malformed.getMessage()).contains("no new 'nextCursor'");
    }

    // ---------------------------------------------------------------- error classes

    @Test
    void rejectedInput_isTypedWithAshbysCodeAndRequestId() {
        var rejected = catchThrowableOfType(AshbyException.Rejected.class, () ->
                ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", "7b0e4fd4-2a4b-4ed1-9e4f-5b6a1a1d7c11"), Candidate.class));

        assertThat(rejected.code()).isEqualTo("candidate_not_found");
        assertThat(rejected.requestId()).isPresent();
        assertThat(rejected.endpoint()).isEqualTo("candidate.info");
        assertThat(requests("candidate.info")).hasSize(1);
    }

    @Test
    void missingPermission_isAConfigurationErrorNamingThePermission() {
        Set<String> withoutWrite = new HashSet<>(tenant.organization().permissions());
        withoutWrite.remove("candidatesWrite");
        tenant.organization().permissions(withoutWrite);

        var missing = catchThrowableOfType(AshbyException.MissingPermission.class, () -> createCandidate("No Access", "na@example.com"));

        assertThat(missing.permission()).isEqualTo("candidatesWrite");
        assertThat(missing.configurationError()).isTrue();
        assertThat(missing.httpStatus()).isEqualTo(403);
        assertThat(requests("candidate.create")).hasSize(1);
    }

    @Test
    void deactivatedKey_isUnauthorizedAndNotRetried() {
        tenant.organization().deactivateApiKey();

        var refused = catchThrowableOfType(AshbyException.Unauthorized.class, () -> ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class));

        assertThat(refused.httpStatus()).isEqualTo(403);
        assertThat(refused.configurationError()).isTrue();
        assertThat(requests("apiKey.info")).hasSize(1);
    }

    @Test
    void status401_isUnauthorized() {
        simulator.faults().next("apiKey.info", Fault.rawBody(401, "Unauthorized"));

        var refused = catchThrowableOfType(AshbyException.Unauthorized.class, () -> ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class));

        assertThat(refused.httpStatus()).isEqualTo(401);
    }

    @Test
    void read_serverErrors_areRetriedUntilTheySucceed() {
        simulator.faults().next("apiKey.info", Fault.status(503)).next("apiKey.info", Fault.html(502));

        ApiKeyInfo info = ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);

        assertThat(info.scopes()).isNotEmpty();
        assertThat(requests("apiKey.info")).extracting(RequestRecord::httpStatus).containsExactly(503, 502, 200);
    }

    @Test
    void read_timeout_isRetried() {
        simulator.faults().next("apiKey.info", Fault.delay(Duration.ofSeconds(5)));

        assertThat(ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class).scopes()).isNotEmpty();
    }

    @Test
    void read_persistentServerErrors_endAsUnavailable() {
        for (int i = 0; i <= config.retry().maxRetries(); i++) {
            simulator.faults().next("apiKey.info", Fault.status(500));
        }

        var unavailable = catchThrowableOfType(AshbyException.Unavailable.class, () -> ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class));

        assertThat(unavailable.httpStatus()).isEqualTo(500);
        assertThat(requests("apiKey.info")).hasSize(config.retry().maxRetries() + 1);
    }

    @Test
    void retriesAndTheirBackoffStopAtTheInvocationsDeadline() {
        // Retry-After 30 s six times over: without the deadline the call waits minutes inside a 120 s function
        for (int i = 0; i < 7; i++) simulator.faults().next("apiKey.info", Fault.rateLimited(30));

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
                Deadline.within(Instant.now().plusSeconds(2), () -> ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class)))
                .isInstanceOf(Deadline.Exceeded.class));
        assertThat(requests("apiKey.info")).as("no attempt after the deadline").hasSize(1);
    }

    @Test
    void aSlowAnswerIsGivenUpAtTheDeadline_notAtTheReadTimeout() {
        simulator.faults().next("apiKey.info", Fault.delay(Duration.ofSeconds(8)));

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
                Deadline.within(Instant.now().plusMillis(800), () -> ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class)))
                .isInstanceOf(Deadline.Exceeded.class));
        assertThat(requests("apiKey.info")).as("the slow request was the only one").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void rateLimited_honoursRetryAfterBeforeRetrying() {
        simulator.faults().next("apiKey.info", Fault.rateLimited(1));

        ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);

        List<RequestRecord> sent = requests("apiKey.info");
        assertThat(sent).extracting(RequestRecord::httpStatus).containsExactly(429, 200);
        assertThat(Duration.between(sent.get(0).receivedAt(), sent.get(1).receivedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void write_rateLimited_isRetriedBecauseAshbyDidNotApplyIt() {
        simulator.faults().next("candidate.create", Fault.rateLimited(null));

        Candidate created = createCandidate("Grace Hopper", "grace@example.com");

        assertThat(created.name()).isEqualTo("Grace Hopper");
        assertThat(requests("candidate.create")).extracting(RequestRecord::httpStatus).containsExactly(429, 200);
        assertThat(candidatesNamed("Grace Hopper")).isEqualTo(1);
    }

    @Test
    void write_serverError_isNotRetriedAndReportedAsOutcomeUnknown() {
        simulator.faults().next("candidate.create", Fault.status(503));

        var unknown = catchThrowableOfType(AshbyException.WriteOutcomeUnknown.class, () -> createCandidate("Alan Turing", "alan@example.com"));

        assertThat(unknown.httpStatus()).isEqualTo(503);
        assertThat(requests("candidate.create")).hasSize(1);
    }

    @Test
    void write_connectionDroppedAfterAshbyAppliedIt_isNotRetriedSoNoDuplicate() {
        simulator.faults().next("candidate.create", Fault.dropConnectionAfterApply());

        catchThrowableOfType(AshbyException.WriteOutcomeUnknown.class, () -> createCandidate("Katherine Johnson", "kj@example.com"));

        assertThat(requests("candidate.create")).hasSize(1);
        assertThat(candidatesNamed("Katherine Johnson")).isEqualTo(1);
    }

    @Test
    void write_timeoutAfterAshbyAppliedIt_isNotRetriedSoNoDuplicate() {
        simulator.faults().next("candidate.create", Fault.delayAfterApply(Duration.ofSeconds(5)));

        var unknown = catchThrowableOfType(AshbyException.WriteOutcomeUnknown.class, () -> createCandidate("Mary Jackson", "mj@example.com"));

        assertThat(unknown.code()).isEqualTo("timeout");
        assertThat(requests("candidate.create")).hasSize(1);
        assertThat(candidatesNamed("Mary Jackson")).isEqualTo(1);
    }

    @Test
    void write_connectionRefused_isRetriedBecauseNothingWasSent() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AshbyApi unreachable = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create("http://127.0.0.1:" + closedPort)).build(AshbyApi.class);
        AshbySession session = new AshbyClient(unreachable, secrets, budget, partnerThrottle, config, mapper, 5000, 2500).forTenant(tenant.config());

        var unavailable = catchThrowableOfType(AshbyException.Unavailable.class,
                () -> session.call(AshbyEndpoint.CANDIDATE_CREATE, Map.of("name", "Nobody"), Candidate.class));

        assertThat(unavailable.code()).isEqualTo("connection_refused");
        assertThat(unavailable.safeToRetryWrite()).isTrue();
    }

    @Test
    void malformedResponses_areTypedWithEndpointAndRequestId() {
        for (String body : List.of("<html><body>Service Unavailable</body></html>", "{\"results\":{}}",
                "{\"success\":\"true\",\"results\":{}}", "{\"success\":true,\"results\":{\"name\":\"No Id\"}}")) {
            simulator.faults().next("candidate.info", Fault.rawBody(200, body));

            var malformed = catchThrowableOfType(AshbyException.MalformedResponse.class,
                    () -> ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", "7b0e4fd4-2a4b-4ed1-9e4f-5b6a1a1d7c11"), Candidate.class));

            assertThat(malformed).as(body).isNotNull();
            assertThat(malformed.endpoint()).isEqualTo("candidate.info");
            assertThat(malformed.requestId()).as(body).isPresent();
        }
    }

    @Test
    void entityMissingARequiredField_namesTheField() {
        simulator.faults().next("candidate.info", Fault.rawBody(200, "{\"success\":true,\"results\":{\"name\":\"No Id\"}}"));

        var malformed = catchThrowableOfType(AshbyException.MalformedResponse.class,
                () -> ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", "7b0e4fd4-2a4b-4ed1-9e4f-5b6a1a1d7c11"), Candidate.class));

        assertThat(malformed.getMessage()).contains("'id'");
    }

    @Test
    void partnerScopeRateLimit_pausesOtherTenantsToo() throws Exception {
        TestTenant other = TestTenants.register(aws, simulator, tenants, 60_000);
        simulator.faults().next("apiKey.info", Fault.partnerRateLimited(1));
        CompletableFuture<ApiKeyInfo> throttledCall = CompletableFuture.supplyAsync(
                () -> ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!partnerThrottle.paused() && !throttledCall.isDone() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }

        client.forTenant(other.config()).call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);

        throttledCall.get(10, TimeUnit.SECONDS);
        RequestRecord throttled = requests("apiKey.info").getFirst();
        RequestRecord otherTenantsCall = simulator.requestLog("apiKey.info").stream()
                .filter(r -> other.apiKey().equals(r.apiKey())).findFirst().orElseThrow();
        assertThat(throttled.httpStatus()).isEqualTo(429);
        assertThat(Duration.between(throttled.receivedAt(), otherTenantsCall.receivedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void requestBody_isTheJsonObjectGiven() throws Exception {
        ObjectNode body = mapper.createObjectNode().put("email", "nobody@example.com");

        ashby.call(AshbyEndpoint.CANDIDATE_SEARCH, body, Candidate[].class);

        assertThat(mapper.readTree(requests("candidate.search").getFirst().body())).isEqualTo(body);
    }
}
