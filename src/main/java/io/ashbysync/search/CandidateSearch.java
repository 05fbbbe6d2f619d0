package io.ashbysync.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.mirror.MirrorStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Candidate search over the {@link SearchIndex}. The query reads one posting list (or, for a hiring-team member, the
 * lists of that member's jobs, merged), newest first, and checks the other filters on each posting's projection:
 * with one filter every posting read is a hit; with several, the list with the fewest candidates (from the lists'
 * COUNT items) drives and the rest are checked. {@code updatedSince} is a key condition on any list.
 */
@ApplicationScoped
public class CandidateSearch {
    private static final Pattern POSITION = Pattern.compile("P#\\d{13}#[A-Za-z0-9_-]{1,100}");
    /** Above every posting sort key ('~' sorts after the digits). */
    private static final String TOP = SearchIndex.POSTING_PREFIX + "~";
    private static final int MAX_PAGE = 1000;

    private final IndexReader reader;

    public CandidateSearch(IndexReader reader) {
        this.reader = reader;
    }

    /**
     * @param hits       {@code {candidate, updatedAt, applications}}, the applications being the ones that match
     * @param nextCursor null on the last page
     * @param drivenBy   the posting list(s) read, e.g. {@code JOB} or {@code ALL}
     */
    public record Page(List<ObjectNode> hits, String nextCursor, String drivenBy, ReadCost cost) {}

    public Page search(String tenantId, CandidateFilters filters, int limit, String cursor) {
        String after = SearchCursor.decode(cursor, tenantId, filters.fingerprint(), POSITION);
        ReadCost cost = new ReadCost();
        List<String> memberJobs = filters.hiringTeamMember() == null ? null : jobsOfMember(tenantId, filters.hiringTeamMember(), cost);
        if (memberJobs != null && memberJobs.isEmpty()) return new Page(List.of(), null, "hiringTeamMember", cost);

        Map<String, List<String>> candidates = new LinkedHashMap<>();
        addList(candidates, "job", Facet.JOB, tenantId, filters.job());
        addList(candidates, "stage", Facet.STAGE, tenantId, filters.stage());
        addList(candidates, "archiveReason", Facet.REASON, tenantId, filters.archiveReason());
        addList(candidates, "tag", Facet.TAG, tenantId, filters.tag());
        addList(candidates, "source", Facet.SOURCE, tenantId, filters.source());
        addList(candidates, "status", Facet.STATUS, tenantId, filters.status());
        if (memberJobs != null) candidates.put("hiringTeamMember", memberJobs.stream().map(j -> Facet.JOB.listKey(tenantId, j)).toList());
        if (candidates.isEmpty()) candidates.put("all", List.of(Facet.ALL.listKey(tenantId, null)));
        String driver = candidates.size() == 1 ? candidates.keySet().iterator().next() : smallest(candidates, cost);

        String lower = SearchIndex.POSTING_PREFIX + (filters.updatedSince() == null ? ""
                : String.format("%013d", filters.updatedSince().toEpochMilli()));
        String upper = after == null ? TOP : after;
        Merge merge = new Merge(candidates.get(driver), lower, upper, limit + 1, cost);
        List<ObjectNode> hits = new ArrayList<>();
        String last = null;
        while (hits.size() < limit) {
            Map<String, AttributeValue> posting = merge.next();
            if (posting == null) break;
            last = posting.get("sk").s();
            ObjectNode hit = matching(IndexedCandidate.stored(reader.json(posting.get("hit").s())), filters, memberJobs);
            if (hit != null) hits.add(hit);
        }
        String nextCursor = last != null && merge.hasNext() ? SearchCursor.encode(tenantId, filters.fingerprint(), last) : null;
        return new Page(hits, nextCursor, driver, cost);
    }

    private static void addList(Map<String, List<String>> lists, String name, Facet facet, String tenantId, String value) {
        if (value != null) lists.put(name, List.of(facet.listKey(tenantId, value)));
    }

    /** The filter whose lists hold the fewest candidates, from their COUNT items (one small read each). */
    private String smallest(Map<String, List<String>> lists, ReadCost cost) {
        List<Map<String, AttributeValue>> keys = lists.values().stream().flatMap(List::stream)
                .map(pk -> Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(SearchIndex.COUNT))).toList();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map<String, AttributeValue> item : reader.getAll(keys, cost)) {
            AttributeValue n = item.get(SearchIndex.CANDIDATES);
            counts.put(item.get("pk").s(), n == null ? 0 : Long.parseLong(n.n()));
        }
        return lists.entrySet().stream()
                .min(Comparator.comparingLong(e -> e.getValue().stream().mapToLong(pk -> counts.getOrDefault(pk, 0L)).sum()))
                .orElseThrow().getKey();
    }

    /** The hit with the applications that match, or null when the candidate does not match. */
    private static ObjectNode matching(IndexedCandidate candidate, CandidateFilters filters, List<String> memberJobs) {
        if (filters.tag() != null && !candidate.tagIds().contains(filters.tag())) return null;
        if (filters.updatedSince() != null && candidate.updatedAt() < filters.updatedSince().toEpochMilli()) return null;
        ObjectNode hit = candidate.hit().deepCopy();
        if (!filters.filtersApplications()) return hit;
        ArrayNode applications = hit.putArray("applications");
        for (JsonNode application : candidate.applications()) {
            if (is(application, Facet.JOB, filters.job()) && is(application, Facet.STAGE, filters.stage())
                    && is(application, Facet.STATUS, filters.status()) && is(application, Facet.REASON, filters.archiveReason())
                    && is(application, Facet.SOURCE, filters.source())
                    && (memberJobs == null || memberJobs.contains(IndexedCandidate.applicationValue(application, Facet.JOB)))) {
                applications.add(application);
            }
        }
        return applications.isEmpty() ? null : hit;
    }

    private static boolean is(JsonNode application, Facet facet, String wanted) {
        return wanted == null || wanted.equals(IndexedCandidate.applicationValue(application, facet));
    }

    /** Jobs whose hiring team includes the user: every job row of the tenant is read (a tenant has few jobs). */
    List<String> jobsOfMember(String tenantId, String userId, ReadCost cost) {
        List<String> jobs = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = reader.query(QueryRequest.builder().indexName(MirrorStore.BY_TENANT_TYPE)
                    .keyConditionExpression("tenantType = :tt")
                    .expressionAttributeValues(Map.of(":tt", AttributeValue.fromS(MirrorStore.tenantType(tenantId, "JOB"))))
                    .exclusiveStartKey(from), cost);
            for (Map<String, AttributeValue> item : page.items()) {
                if (item.containsKey("deleted") && Boolean.TRUE.equals(item.get("deleted").bool())) continue;
                JsonNode job = reader.json(item.get("data").s());
                for (JsonNode member : job.path("hiringTeam")) {
                    if (userId.equals(member.path("userId").asText())) {
                        jobs.add(job.path("id").asText());
                        break;
                    }
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return jobs;
    }

    /**
     * Postings of several lists in one descending order, each candidate once (its sort key is the same on every list).
     * Lists are read lazily, a page at a time; pages grow from the caller's limit so a selective combination does not
     * pay for many small round trips.
     */
    private final class Merge {
        private final PriorityQueue<ListCursor> heads = new PriorityQueue<>(Comparator.comparing(ListCursor::head).reversed());
        private String previous;

        Merge(List<String> lists, String lower, String upper, int pageSize, ReadCost cost) {
            for (String list : lists) {
                ListCursor cursor = new ListCursor(list, lower, upper, pageSize, cost);
                if (cursor.head() != null) heads.add(cursor);
            }
        }

        Map<String, AttributeValue> next() {
            while (!heads.isEmpty()) {
                ListCursor top = heads.poll();
                Map<String, AttributeValue> item = top.take();
                if (top.head() != null) heads.add(top);
                String sk = item.get("sk").s();
                if (sk.equals(previous)) continue;
                previous = sk;
                return item;
            }
            return null;
        }

        /** Whether another candidate follows (copies of the last one on other lists do not count). */
        boolean hasNext() {
            while (!heads.isEmpty() && heads.peek().head().equals(previous)) {
                ListCursor top = heads.poll();
                top.take();
                if (top.head() != null) heads.add(top);
            }
            return !heads.isEmpty();
        }
    }

    /** One posting list between two sort keys (the upper one excluded), newest first. */
    private final class ListCursor {
        private final String list;
        private final String lower;
        private final String upper;
        private final ReadCost cost;
        private final Deque<Map<String, AttributeValue>> buffer = new ArrayDeque<>();
        private Map<String, AttributeValue> resumeAt;
        private boolean exhausted;
        private int pageSize;

        ListCursor(String list, String lower, String upper, int pageSize, ReadCost cost) {
            this.list = list;
            this.lower = lower;
            this.upper = upper;
            this.pageSize = pageSize;
            this.cost = cost;
        }

        String head() {
            fill();
            return buffer.isEmpty() ? null : buffer.peekFirst().get("sk").s();
        }

        Map<String, AttributeValue> take() {
            fill();
            return buffer.pollFirst();
        }

        private void fill() {
            while (buffer.isEmpty() && !exhausted) {
                Map<String, AttributeValue> from = resumeAt;
                QueryResponse page = reader.query(QueryRequest.builder()
                        .keyConditionExpression("pk = :pk AND sk BETWEEN :lower AND :upper")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(list), ":lower", AttributeValue.fromS(lower),
                                ":upper", AttributeValue.fromS(upper)))
                        .scanIndexForward(false).limit(pageSize).exclusiveStartKey(from), cost);
                // BETWEEN includes the upper bound: the cursor's own posting was on the previous page
                page.items().stream().filter(i -> !i.get("sk").s().equals(upper)).forEach(buffer::addLast);
                resumeAt = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
                exhausted = resumeAt == null;
                pageSize = Math.min(MAX_PAGE, pageSize * 2);
            }
        }
    }
}
