package io.ashbysync.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.testing.LocalAws;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Items and read units per search query on a mirror of many candidates, in moto. The index holds the rows
 * {@link SearchIndex} derives from documents shaped as {@code CandidateDocuments} builds them (from a seeded simulator
 * organization, without running the poller, which would take far longer and measure the poller instead); jobs,
 * postings and stages go through the real {@link MirrorStore}. Latency is moto's and says little about DynamoDB's:
 * the read units are the figure that carries over.
 *
 * <pre>{@code ./mvnw -B -o test-compile && java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *     io.ashbysync.search.SearchBench 20000}</pre>
 */
public final class SearchBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One query kind: what it returned on its first page and what that page cost. */
    public record QueryResult(String name, Map<String, String> filters, int hits, int requests, int itemsRead,
                              double readUnits, Double reportedReadUnits, double medianMillis) {}

    public record Result(int candidates, int applications, int postings, double indexSecondsTotal, List<QueryResult> queries) {}

    private SearchBench() {}

    public static void main(String[] args) throws Exception {
        int candidates = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        System.out.printf("%-34s %6s %5s %6s %8s %9s %8s%n", "query (first page of 25)", "hits", "reqs", "items",
                "RCU", "RCU(moto)", "ms(p50)");
        Result result = run(candidates, 25, 3, q -> System.out.printf("%-34s %6d %5d %6d %8.1f %9s %8.1f%n", q.name(), q.hits(),
                q.requests(), q.itemsRead(), q.readUnits(), q.reportedReadUnits() == null ? "-" : String.format("%.1f", q.reportedReadUnits()),
                q.medianMillis()));
        System.out.printf("%d candidates, %d applications, %d postings; bulk-loaded in %.0f s%n", result.candidates(),
                result.applications(), result.postings(), result.indexSecondsTotal());
        System.exit(0);
    }

    /** @param progress told of each query as it is measured (a large run takes a while on moto) */
    public static Result run(int candidateCount, int limit, int repetitions, Consumer<QueryResult> progress) throws Exception {
        try (LocalAws aws = LocalAws.start(); AshbySimulator simulator = AshbySimulator.start()) {
            AwsResources resources = resources(aws);
            MirrorStore mirror = new MirrorStore(aws.dynamoDb(), resources, JSON);
            IndexReader reader = new IndexReader(aws.dynamoDb(), resources, JSON);
            CandidateSearch search = new CandidateSearch(reader);
            JobCards jobCards = new JobCards(reader, JSON);
            String tenantId = "bench";
            SimulatedOrganization org = simulator.createOrganization("bench-key");
            SeededTenantGenerator.seed(20_000).candidates(candidateCount).jobs(60).users(40).generate(org);

            for (ObjectNode job : org.jobs()) mirror.upsert(tenantId, "JOB", "job", job.get("id").asText(), null, job, Map.of(), Instant.now());
            for (ObjectNode posting : org.jobPostings()) mirror.upsert(tenantId, "JOB_POSTING", "jobPosting", posting.get("id").asText(), null, posting, Map.of(), Instant.now());
            for (String planId : org.jobs().stream().map(j -> j.get("defaultInterviewPlanId").asText()).distinct().toList()) {
                for (ObjectNode stage : org.interviewStages(planId)) mirror.upsert(tenantId, "INTERVIEW_STAGE", "interviewStage", stage.get("id").asText(), null, stage, Map.of(), Instant.now());
            }
            Map<String, List<ObjectNode>> applications = org.applications().stream()
                    .collect(Collectors.groupingBy(a -> a.path("candidate").path("id").asText()));
            long started = System.nanoTime();
            int postings = bulkLoad(aws, resources.mirrorTable(), tenantId, org, applications);
            double indexSeconds = (System.nanoTime() - started) / 1e9;

            Map<String, Map<String, String>> queries = queries(org);
            List<QueryResult> results = new ArrayList<>();
            for (Map.Entry<String, Map<String, String>> query : queries.entrySet()) {
                CandidateFilters filters = filters(query.getValue());
                CandidateSearch.Page page = null;
                double[] millis = new double[repetitions];
                for (int i = 0; i < repetitions; i++) {
                    long t = System.nanoTime();
                    page = search.search(tenantId, filters, limit, null);
                    millis[i] = (System.nanoTime() - t) / 1e6;
                }
                results.add(new QueryResult(query.getKey(), query.getValue(), page.hits().size(), page.cost().requests(),
                        page.cost().items(), page.cost().computedUnits(), page.cost().reportedUnits(), median(millis)));
                progress.accept(results.getLast());
            }
            for (String member : new String[] {null, org.jobs().getFirst().get("hiringTeam").get(0).get("userId").asText()}) {
                JobCards.Page page = null;
                double[] millis = new double[repetitions];
                for (int i = 0; i < repetitions; i++) {
                    long t = System.nanoTime();
                    page = jobCards.cards(tenantId, member, limit, null);
                    millis[i] = (System.nanoTime() - t) / 1e6;
                }
                results.add(new QueryResult(member == null ? "job cards" : "job cards, hiringTeamMember",
                        member == null ? Map.of() : Map.of("hiringTeamMember", member), page.jobs().size(),
                        page.cost().requests(), page.cost().items(), page.cost().computedUnits(), page.cost().reportedUnits(), median(millis)));
                progress.accept(results.getLast());
            }
            return new Result(candidateCount, org.applications().size(), postings, indexSeconds, results);
        }
    }

    /**
     * Writes exactly the postings and COUNT items {@link SearchIndex#index} would (its own key and count functions),
     * in batches, without the per-candidate manifest and transaction: on a shared moto the real path takes over a
     * second per candidate, and queries never read manifests. {@code SearchRouteTest} covers the real path.
     */
    private static int bulkLoad(LocalAws aws, String table, String tenantId, SimulatedOrganization org,
                                Map<String, List<ObjectNode>> applications) {
        List<WriteRequest> writes = new ArrayList<>();
        Map<String, Map<String, Long>> counts = new HashMap<>();
        for (ObjectNode candidate : org.candidates()) {
            ObjectNode document = JSON.createObjectNode();
            document.set("candidate", candidate);
            document.putArray("applications").addAll(applications.getOrDefault(candidate.get("id").asText(), List.of()));
            IndexedCandidate indexed = IndexedCandidate.of(candidate.get("id").asText(), document, JSON);
            String hit = indexed.hit().toString();
            SearchIndex.postings(tenantId, indexed).forEach((pk, sk) -> writes.add(WriteRequest.builder()
                    .putRequest(p -> p.item(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk), "hit", AttributeValue.fromS(hit))))
                    .build()));
            SearchIndex.contributions(tenantId, indexed).forEach((list, contribution) -> {
                Map<String, Long> count = counts.computeIfAbsent(list, l -> new HashMap<>());
                count.merge(SearchIndex.CANDIDATES, (long) contribution.candidates(), Long::sum);
                contribution.stages().forEach((stage, n) -> count.merge(SearchIndex.STAGE_PREFIX + stage, (long) n, Long::sum));
            });
        }
        counts.forEach((list, count) -> {
            Map<String, AttributeValue> item = new HashMap<>(Map.of("pk", AttributeValue.fromS(list), "sk", AttributeValue.fromS(SearchIndex.COUNT)));
            count.forEach((name, n) -> item.put(name, AttributeValue.fromN(Long.toString(n))));
            writes.add(WriteRequest.builder().putRequest(p -> p.item(item)).build());
        });
        for (int from = 0; from < writes.size(); from += 25) {
            Map<String, List<WriteRequest>> pending = Map.of(table, writes.subList(from, Math.min(from + 25, writes.size())));
            while (!pending.isEmpty()) {
                Map<String, List<WriteRequest>> request = pending;
                pending = aws.dynamoDb().batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
            }
        }
        return writes.size() - counts.size();
    }

    /** Query kinds, their values taken from the data: the most common job, an archive reason, a tag, and so on. */
    private static Map<String, Map<String, String>> queries(SimulatedOrganization org) {
        List<ObjectNode> applications = org.applications();
        Function<Function<JsonNode, String>, String> common = field -> applications.stream().map(field::apply)
                .filter(v -> v != null && !v.isEmpty()).collect(Collectors.groupingBy(v -> v, Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Function<Function<JsonNode, String>, String> rare = field -> applications.stream().map(field::apply)
                .filter(v -> v != null && !v.isEmpty()).collect(Collectors.groupingBy(v -> v, Collectors.counting()))
                .entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String job = common.apply(a -> a.path("job").path("id").asText(null));
        String rareJob = rare.apply(a -> a.path("job").path("id").asText(null));
        String stage = common.apply(a -> a.path("currentInterviewStage").path("id").asText(null));
        String reason = common.apply(a -> a.path("archiveReason").path("id").asText(null));
        String source = common.apply(a -> a.path("source").path("id").asText(null));
        String tag = org.candidates().stream().flatMap(c -> c.path("tags").findValuesAsText("id").stream())
                .collect(Collectors.groupingBy(v -> v, Collectors.counting())).entrySet().stream()
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        String member = org.jobs().stream().filter(j -> j.get("id").asText().equals(job)).findFirst().orElseThrow()
                .get("hiringTeam").get(0).get("userId").asText();
        String since = applications.stream().map(a -> a.get("updatedAt").asText()).sorted(Comparator.reverseOrder())
                .skip(applications.size() / 100).findFirst().orElseThrow();
        Map<String, Map<String, String>> queries = new LinkedHashMap<>();
        queries.put("no filter", Map.of());
        queries.put("job (largest)", Map.of("job", job));
        queries.put("job (smallest)", Map.of("job", rareJob));
        queries.put("stage", Map.of("stage", stage));
        queries.put("status=Archived", Map.of("status", "Archived"));
        queries.put("archiveReason", Map.of("archiveReason", reason));
        queries.put("tag", Map.of("tag", tag));
        queries.put("source", Map.of("source", source));
        queries.put("hiringTeamMember", Map.of("hiringTeamMember", member));
        queries.put("updatedSince (newest 1%)", Map.of("updatedSince", since));
        queries.put("job + status=Archived", Map.of("job", job, "status", "Archived"));
        queries.put("tag + archiveReason", Map.of("tag", tag, "archiveReason", reason));
        queries.put("member + status=Hired", Map.of("hiringTeamMember", member, "status", "Hired"));
        queries.put("source + stage + updatedSince", Map.of("source", source, "stage", stage, "updatedSince", since));
        return queries;
    }

    private static CandidateFilters filters(Map<String, String> query) {
        return new CandidateFilters(query.get("job"), query.get("stage"), query.get("status"), query.get("archiveReason"),
                query.get("tag"), query.get("hiringTeamMember"), query.get("source"),
                query.containsKey("updatedSince") ? Instant.parse(query.get("updatedSince")) : null);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static AwsResources resources(LocalAws aws) {
        String mirror = aws.tableName("MirrorTable");
        return new AwsResources() {
            @Override public String tenantsTable() { return aws.tableName("TenantsTable"); }
            @Override public String identityTable() { return aws.tableName("IdentityTable"); }
            @Override public String idempotencyTable() { return aws.tableName("IdempotencyTable"); }
            @Override public String mirrorTable() { return mirror; }
            @Override public String commandsQueueUrl() { return aws.queueUrl("CommandsQueue"); }
            @Override public String workQueueUrl() { return aws.queueUrl("WorkQueue"); }
            @Override public String eventsQueueUrl() { return aws.queueUrl("EventsQueue"); }
            @Override public String ssmPrefix() { return "/bench"; }
        };
    }
}
