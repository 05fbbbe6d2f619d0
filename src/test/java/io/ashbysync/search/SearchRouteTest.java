package io.ashbysync.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.poll.PollerConfig;
import io.ashbysync.poll.SyncState;
import io.ashbysync.poll.TenantSync;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.CommandHarness;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The read API of the `http` function over a mirror filled by the real poller from the Ashby simulator: every filter,
 * alone and in combination, against a brute-force answer computed from the simulator's own state, read page by page.
 */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
class SearchRouteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Filter name → how the simulator's application shows it (null: a candidate filter). */
    private static final Map<String, Function<JsonNode, String>> APPLICATION_FIELDS = Map.of(
            "job", a -> a.path("job").path("id").asText(null),
            "stage", a -> a.path("currentInterviewStage").path("id").asText(null),
            "status", a -> a.path("status").asText(null),
            "archiveReason", a -> a.path("archiveReason").path("id").asText(null),
            "source", a -> a.path("source").path("id").asText(null));

    /** One seeded tenant for the read-only tests (seeding through the poller is the slow part). */
    private static TestTenant seeded;

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    TenantSync sync;
    @Inject
    SyncState state;
    @Inject
    S3Client s3;
    @Inject
    PollerConfig pollerConfig;

    @BeforeEach
    void seedOnce() throws Exception {
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(pollerConfig.filesBucket()))) {
            s3.createBucket(r -> r.bucket(pollerConfig.filesBucket()));
        }
        if (seeded == null) seeded = mirroredTenant(70, 11);
    }

    // ---- candidates ----------------------------------------------------------------------------------------------

    @Test
    void everySingleFilter_returnsExactlyTheBruteForceHits_inOrder() {
        SimulatedOrganization org = seeded.organization();
        Map<String, Set<String>> values = filterValues(org);
        int queries = 0;
        for (Map.Entry<String, Set<String>> filter : values.entrySet()) {
            for (String value : filter.getValue()) {
                Map<String, String> query = Map.of(filter.getKey(), value);
                assertThat(searchAll(seeded, query, 25)).as("%s", query).isEqualTo(bruteForce(org, query));
                queries++;
            }
        }
        assertThat(searchAll(seeded, Map.of(), 25)).as("no filter").isEqualTo(bruteForce(org, Map.of()));
        assertThat(queries).isGreaterThan(40);
    }

    @Test
    void combinationsOfFilters_matchBruteForce_andEveryHitComesExactlyOnceAcrossSmallPages() {
        SimulatedOrganization org = seeded.organization();
        List<String> names = List.of("job", "stage", "status", "archiveReason", "tag", "hiringTeamMember", "source", "updatedSince");
        Random random = new Random(42);
        int nonEmpty = 0;
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                for (int sample = 0; sample < 3; sample++) {
                    Map<String, String> query = sampleQuery(org, List.of(names.get(i), names.get(j)), random);
                    List<Hit> expected = bruteForce(org, query);
                    assertThat(searchAll(seeded, query, 3)).as("%s", query).isEqualTo(expected);
                    if (!expected.isEmpty()) nonEmpty++;
                }
            }
        }
        for (int sample = 0; sample < 10; sample++) {
            List<String> three = new ArrayList<>(names);
            java.util.Collections.shuffle(three, random);
            Map<String, String> query = sampleQuery(org, three.subList(0, 3), random);
            assertThat(searchAll(seeded, query, 2)).as("%s", query).isEqualTo(bruteForce(org, query));
        }
        Map<String, String> everything = sampleQuery(org, names, random);
        while (bruteForce(org, everything).isEmpty()) everything = sampleQuery(org, names, random);
        assertThat(searchAll(seeded, everything, 1)).as("%s", everything).isEqualTo(bruteForce(org, everything));
        assertThat(nonEmpty).as("combinations drawn from real applications find something").isGreaterThan(30);
    }

    @Test
    void aSingleFilter_readsWhatItReturns() {
        SimulatedOrganization org = seeded.organization();
        String job = org.applications().getFirst().path("job").path("id").asText();
        JsonNode page = ok(search(seeded, Map.of("job", job, "limit", "100")));
        int hits = page.path("hits").size();
        assertThat(hits).isEqualTo(bruteForce(org, Map.of("job", job)).size());
        assertThat(page.path("reads").path("items").asInt()).isEqualTo(hits);
        assertThat(page.path("drivenBy").asText()).isEqualTo("job");
    }

    @Test
    void aCombination_isDrivenByItsSmallestList() {
        SimulatedOrganization org = seeded.organization();
        JsonNode application = org.applications().stream().filter(a -> a.path("archiveReason").has("id")).findFirst().orElseThrow();
        Map<String, String> query = Map.of("status", "Archived", "job", application.path("job").path("id").asText());
        JsonNode page = ok(search(seeded, query));
        assertThat(page.path("drivenBy").asText()).isEqualTo("job");
    }

    @Test
    void badInput_is400_withAClearMessage() {
        assertThat(status(search(seeded, Map.of("colour", "blue")))).isEqualTo(400);
        assertThat(message(search(seeded, Map.of("colour", "blue")))).contains("unknown query parameter colour");
        assertThat(message(search(seeded, Map.of("cursor", "not-a-cursor!")))).contains("cursor is malformed");
        assertThat(status(search(seeded, Map.of("cursor", "not-a-cursor!")))).isEqualTo(400);
        String forged = java.util.Base64.getUrlEncoder().encodeToString("{\"v\":1,\"tenant\":\"x\"}".getBytes());
        assertThat(message(search(seeded, Map.of("cursor", forged)))).contains("cursor is malformed");
        assertThat(message(search(seeded, Map.of("status", "Pending")))).contains("status must be one of");
        assertThat(message(search(seeded, Map.of("updatedSince", "yesterday")))).contains("updatedSince is not an ISO-8601");
        assertThat(message(search(seeded, Map.of("limit", "0")))).contains("limit must be");
        assertThat(message(search(seeded, Map.of("job", "a#b")))).contains("job is not an id");

        String cursor = ok(search(seeded, Map.of("limit", "2"))).path("nextCursor").asText();
        assertThat(cursor).isNotEmpty();
        TestTenant other = TestTenants.register(aws, simulator, tenants, 60_000);
        assertThat(status(search(other, Map.of("cursor", cursor)))).isEqualTo(400);
        assertThat(message(search(other, Map.of("cursor", cursor)))).contains("cursor belongs to another tenant");
        assertThat(message(search(seeded, Map.of("cursor", cursor, "status", "Hired")))).contains("cursor belongs to a different query");
        assertThat(status(invoke(CandidateSearchRoute.ROUTE_KEY, "/tenants/nobody/candidates", "nobody", Map.of()))).isEqualTo(404);
    }

    // ---- job cards -----------------------------------------------------------------------------------------------

    @Test
    void jobCards_showStatusTeamPostingLinksAndStageCounts_asAshbyHasThem() {
        SimulatedOrganization org = seeded.organization();
        Map<String, JsonNode> cards = jobCardsAll(seeded, Map.of(), 4);
        assertThat(cards.keySet()).containsExactlyInAnyOrderElementsOf(org.jobs().stream().map(j -> j.get("id").asText()).toList());
        for (ObjectNode job : org.jobs()) {
            JsonNode card = cards.get(job.get("id").asText());
            assertThat(card.path("status").asText()).isEqualTo(job.get("status").asText());
            assertThat(card.path("title").asText()).isEqualTo(job.get("title").asText());
            Map<String, Set<String>> team = new TreeMap<>();
            job.get("hiringTeam").forEach(m -> team.computeIfAbsent(m.get("role").asText(), r -> new HashSet<>()).add(m.get("userId").asText()));
            Map<String, Set<String>> shown = new TreeMap<>();
            card.path("hiringTeam").properties().forEach(e -> e.getValue().forEach(m ->
                    shown.computeIfAbsent(e.getKey(), r -> new HashSet<>()).add(m.path("userId").asText())));
            assertThat(shown).as("team of %s", job.get("id")).isEqualTo(team);
            Set<String> links = org.jobPostings().stream().filter(p -> p.get("jobId").asText().equals(job.get("id").asText()))
                    .map(p -> p.get("externalLink").asText()).collect(Collectors.toSet());
            Set<String> shownLinks = new HashSet<>();
            card.path("jobPostings").forEach(p -> shownLinks.add(p.path("externalLink").asText()));
            assertThat(shownLinks).as("posting links of %s", job.get("id")).isEqualTo(links);
            assertThat(stageCounts(card)).as("stage counts of %s", job.get("id")).isEqualTo(expectedStageCounts(org, job.get("id").asText()));
        }
        assertThat(cards.values()).anySatisfy(card -> assertThat(card.path("jobPostings")).isNotEmpty());
    }

    @Test
    void jobCards_filteredByHiringTeamMember_areThatMembersJobs() {
        SimulatedOrganization org = seeded.organization();
        for (ObjectNode user : org.users()) {
            String userId = user.get("id").asText();
            Set<String> expected = org.jobs().stream().filter(j -> onTeam(j, userId)).map(j -> j.get("id").asText()).collect(Collectors.toSet());
            assertThat(jobCardsAll(seeded, Map.of("hiringTeamMember", userId), 2).keySet()).as("jobs of %s", userId).isEqualTo(expected);
        }
        assertThat(message(invoke(JobCardsRoute.ROUTE_KEY, "/tenants/" + seeded.tenantId() + "/jobs", seeded.tenantId(),
                Map.of("status", "Open")))).contains("unknown query parameter status");
    }

    // ---- the index follows the mirror ----------------------------------------------------------------------------

    @Test
    void afterRecruiterActivityAndADeletion_searchAndCountsFollowAshby_withNoStalePostings() throws Exception {
        TestTenant tenant = mirroredTenant(20, 5);
        SimulatedOrganization org = tenant.organization();
        org.randomActivity(new Random(5), 15);
        String deleted = org.candidates().stream().filter(c -> c.get("applicationIds").size() > 0).findFirst().orElseThrow().get("id").asText();
        org.deleteCandidate(deleted);
        state.requestFullPass(tenant.tenantId(), "applications");
        state.requestFullPass(tenant.tenantId(), "candidates");

        syncAndRunWork(tenant);

        for (Map.Entry<String, Set<String>> filter : filterValues(org).entrySet()) {
            for (String value : filter.getValue()) {
                Map<String, String> query = Map.of(filter.getKey(), value);
                assertThat(searchAll(tenant, query, 10)).as("%s", query).isEqualTo(bruteForce(org, query));
            }
        }
        assertThat(searchAll(tenant, Map.of(), 10)).isEqualTo(bruteForce(org, Map.of()))
                .noneMatch(hit -> hit.candidateId().equals(deleted));
        Map<String, JsonNode> cards = jobCardsAll(tenant, Map.of(), 10);
        for (ObjectNode job : org.jobs()) {
            assertThat(stageCounts(cards.get(job.get("id").asText()))).isEqualTo(expectedStageCounts(org, job.get("id").asText()));
        }
    }

    // ---- brute force over the simulator --------------------------------------------------------------------------

    /** A hit as compared: the candidate and the ids of its matching applications. */
    record Hit(String candidateId, List<String> applicationIds) {}

    private static List<Hit> bruteForce(SimulatedOrganization org, Map<String, String> query) {
        Map<String, List<ObjectNode>> applications = org.applications().stream()
                .collect(Collectors.groupingBy(a -> a.path("candidate").path("id").asText()));
        Set<String> memberJobs = query.containsKey("hiringTeamMember") ? org.jobs().stream()
                .filter(j -> onTeam(j, query.get("hiringTeamMember"))).map(j -> j.get("id").asText()).collect(Collectors.toSet()) : null;
        boolean applicationFilters = query.keySet().stream().anyMatch(k -> APPLICATION_FIELDS.containsKey(k) || k.equals("hiringTeamMember"));
        record Found(String candidateId, long updatedAt, List<String> applicationIds) {}
        List<Found> found = new ArrayList<>();
        for (ObjectNode candidate : org.candidates()) {
            String id = candidate.get("id").asText();
            List<ObjectNode> own = applications.getOrDefault(id, List.of());
            long updatedAt = Instant.parse(candidate.get("updatedAt").asText()).toEpochMilli();
            for (ObjectNode a : own) updatedAt = Math.max(updatedAt, Instant.parse(a.get("updatedAt").asText()).toEpochMilli());
            if (query.containsKey("tag") && candidate.path("tags").findValuesAsText("id").stream().noneMatch(query.get("tag")::equals)) continue;
            if (query.containsKey("updatedSince") && updatedAt < Instant.parse(query.get("updatedSince")).toEpochMilli()) continue;
            List<String> matching = own.stream()
                    .filter(a -> APPLICATION_FIELDS.entrySet().stream().allMatch(f -> !query.containsKey(f.getKey())
                            || query.get(f.getKey()).equals(f.getValue().apply(a))))
                    .filter(a -> memberJobs == null || memberJobs.contains(a.path("job").path("id").asText()))
                    .map(a -> a.get("id").asText()).sorted().toList();
            if (applicationFilters && matching.isEmpty()) continue;
            found.add(new Found(id, updatedAt, matching));
        }
        return found.stream().sorted(Comparator.comparingLong(Found::updatedAt).thenComparing(Found::candidateId).reversed())
                .map(f -> new Hit(f.candidateId(), f.applicationIds())).toList();
    }

    /** Every value each filter can take in the organization (plus an unused id, which must find nothing). */
    private static Map<String, Set<String>> filterValues(SimulatedOrganization org) {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        APPLICATION_FIELDS.forEach((name, field) -> values.put(name, org.applications().stream().map(field)
                .filter(Objects::nonNull).collect(Collectors.toCollection(java.util.TreeSet::new))));
        values.get("status").addAll(CandidateFilters.STATUSES);
        values.get("job").add("no-such-job");
        values.put("tag", org.tags().stream().map(t -> t.get("id").asText()).collect(Collectors.toCollection(java.util.TreeSet::new)));
        values.put("hiringTeamMember", org.users().stream().map(u -> u.get("id").asText()).collect(Collectors.toCollection(java.util.TreeSet::new)));
        values.put("updatedSince", Set.of("2024-01-01T00:00:00Z", "2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z"));
        return values;
    }

    /** Filter values taken from one random application (and its candidate), so most combinations find someone. */
    private static Map<String, String> sampleQuery(SimulatedOrganization org, List<String> names, Random random) {
        List<ObjectNode> applications = org.applications();
        ObjectNode application = applications.get(random.nextInt(applications.size()));
        ObjectNode candidate = org.candidate(application.path("candidate").path("id").asText());
        Map<String, String> query = new TreeMap<>();
        for (String name : names) {
            String value = switch (name) {
                case "tag" -> candidate.path("tags").size() > 0 ? candidate.path("tags").get(random.nextInt(candidate.path("tags").size())).path("id").asText()
                        : org.tags().get(random.nextInt(org.tags().size())).get("id").asText();
                case "hiringTeamMember" -> {
                    String jobId = application.path("job").path("id").asText();
                    JsonNode team = org.jobs().stream().filter(j -> j.get("id").asText().equals(jobId)).findFirst().orElseThrow().get("hiringTeam");
                    yield team.get(random.nextInt(team.size())).get("userId").asText();
                }
                case "updatedSince" -> Instant.parse(application.get("updatedAt").asText()).minusSeconds(86_400L * random.nextInt(200)).toString();
                default -> APPLICATION_FIELDS.get(name).apply(application);
            };
            // an archive reason filter on an application without one: draw it from another application
            if (value == null) value = org.applications().stream().map(APPLICATION_FIELDS.get(name)).filter(Objects::nonNull).findFirst().orElseThrow();
            query.put(name, value);
        }
        return query;
    }

    private static Map<String, Long> expectedStageCounts(SimulatedOrganization org, String jobId) {
        return org.applications().stream().filter(a -> a.path("job").path("id").asText().equals(jobId))
                .collect(Collectors.groupingBy(a -> a.path("currentInterviewStage").path("id").asText(), TreeMap::new, Collectors.counting()));
    }

    private static Map<String, Long> stageCounts(JsonNode card) {
        Map<String, Long> counts = new TreeMap<>();
        card.path("stageCounts").forEach(s -> counts.put(s.path("stageId").asText(), s.path("count").asLong()));
        return counts;
    }

    private static boolean onTeam(JsonNode job, String userId) {
        for (JsonNode member : job.path("hiringTeam")) if (member.path("userId").asText().equals(userId)) return true;
        return false;
    }

    // ---- the API -------------------------------------------------------------------------------------------------

    /** Every page of a search, following nextCursor; fails on a candidate seen twice. */
    private List<Hit> searchAll(TestTenant tenant, Map<String, String> query, int limit) {
        List<Hit> hits = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String cursor = null;
        for (int pages = 0; pages < 10_000; pages++) {
            Map<String, String> parameters = new LinkedHashMap<>(query);
            parameters.put("limit", Integer.toString(limit));
            if (cursor != null) parameters.put("cursor", cursor);
            JsonNode page = ok(search(tenant, parameters));
            assertThat(page.path("hits").size()).isLessThanOrEqualTo(limit);
            for (JsonNode hit : page.path("hits")) {
                String id = hit.path("candidate").path("id").asText();
                assertThat(seen.add(id)).as("candidate %s returned twice for %s", id, query).isTrue();
                List<String> applicationIds = new ArrayList<>();
                hit.path("applications").forEach(a -> applicationIds.add(a.path("id").asText()));
                hits.add(new Hit(id, applicationIds.stream().sorted().toList()));
            }
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
            if (cursor == null) return hits;
        }
        throw new AssertionError("paging never ended for " + query);
    }

    private Map<String, JsonNode> jobCardsAll(TestTenant tenant, Map<String, String> query, int limit) {
        Map<String, JsonNode> cards = new LinkedHashMap<>();
        String cursor = null;
        do {
            Map<String, String> parameters = new LinkedHashMap<>(query);
            parameters.put("limit", Integer.toString(limit));
            if (cursor != null) parameters.put("cursor", cursor);
            JsonNode page = ok(invoke(JobCardsRoute.ROUTE_KEY, "/tenants/" + tenant.tenantId() + "/jobs", tenant.tenantId(), parameters));
            for (JsonNode card : page.path("jobs")) {
                assertThat(cards.put(card.path("id").asText(), card)).as("job %s twice", card.path("id")).isNull();
            }
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        return cards;
    }

    private static JsonNode search(TestTenant tenant, Map<String, String> parameters) {
        return invoke(CandidateSearchRoute.ROUTE_KEY, "/tenants/" + tenant.tenantId() + "/candidates", tenant.tenantId(), parameters);
    }

    private static JsonNode invoke(String routeKey, String path, String tenantId, Map<String, String> parameters) {
        try {
            return JSON.readTree(LambdaInvoker.invoke(LambdaEvents.httpGet(routeKey, path, Map.of("tenantId", tenantId), parameters)));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int status(JsonNode response) {
        return response.path("statusCode").asInt();
    }

    private static String message(JsonNode response) {
        try {
            return JSON.readTree(response.path("body").asText()).path("message").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode ok(JsonNode response) {
        assertThat(status(response)).as("answer %s", response.path("body").asText()).isEqualTo(200);
        try {
            return JSON.readTree(response.path("body").asText());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---- a mirror from the real poller -----------------------------------------------------------------------------

    private TestTenant mirroredTenant(int candidates, long seed) throws Exception {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 600_000);
        SeededTenantGenerator.seed(seed).candidates(candidates).jobs(8).users(8).generate(tenant.organization());
        syncAndRunWork(tenant);
        return tenant;
    }

    /** One poller pass for the tenant, then its fanned-out work as the commands function runs it. */
    private void syncAndRunWork(TestTenant tenant) {
        assertThat(sync.sync(tenant.config(), Instant.now().plusSeconds(600))).isEqualTo(TenantSync.Outcome.DRAINED);
        new CommandHarness(aws, InProcessCommands::invoke).drainWork(tenant.tenantId());
    }
}
