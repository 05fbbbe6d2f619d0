package io.ashbysync.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.mirror.MirrorStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Job cards: each mirrored job with its status, hiring team by role, job postings with their public link, and how
 * many applications sit in each stage. Jobs are read a page at a time from the mirror's ByTenantType index; the page's
 * counts come from the JOB lists' COUNT items kept by {@link SearchIndex}, its postings and stage titles from their
 * mirror rows, all by key.
 */
@ApplicationScoped
public class JobCards {
    private static final Pattern POSITION = Pattern.compile("TENANT#[A-Za-z0-9_-]{1,64}#JOB#[A-Za-z0-9_-]{1,100}");

    private final IndexReader reader;
    private final ObjectMapper mapper;

    public JobCards(IndexReader reader, ObjectMapper mapper) {
        this.reader = reader;
        this.mapper = mapper;
    }

    public record Page(List<ObjectNode> jobs, String nextCursor, ReadCost cost) {}

    /** @param hiringTeamMember a user id: only jobs whose hiring team includes the user; null for every job */
    public Page cards(String tenantId, String hiringTeamMember, int limit, String cursor) {
        String query = Integer.toHexString(("jobs:" + hiringTeamMember).hashCode());
        String after = SearchCursor.decode(cursor, tenantId, query, POSITION);
        ReadCost cost = new ReadCost();
        List<JsonNode> jobs = new ArrayList<>();
        String last = null;
        boolean more = false;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            String condition = after == null ? "tenantType = :tt" : "tenantType = :tt AND pk > :after";
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":tt", AttributeValue.fromS(MirrorStore.tenantType(tenantId, "JOB"))));
            if (after != null) values.put(":after", AttributeValue.fromS(after));
            QueryResponse page = reader.query(QueryRequest.builder().indexName(MirrorStore.BY_TENANT_TYPE)
                    .keyConditionExpression(condition).expressionAttributeValues(values)
                    .limit(limit + 1).exclusiveStartKey(from), cost);
            for (Map<String, AttributeValue> item : page.items()) {
                if (item.containsKey("deleted") && Boolean.TRUE.equals(item.get("deleted").bool())) continue;
                JsonNode job = reader.json(item.get("data").s());
                if (hiringTeamMember != null && !onTeam(job, hiringTeamMember)) continue;
                if (jobs.size() == limit) {
                    more = true;
                    break;
                }
                jobs.add(job);
                last = item.get("pk").s();
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (!more && start != null);

        List<ObjectNode> cards = cards(tenantId, jobs, cost);
        return new Page(cards, more ? SearchCursor.encode(tenantId, query, last) : null, cost);
    }

    private List<ObjectNode> cards(String tenantId, List<JsonNode> jobs, ReadCost cost) {
        List<Map<String, AttributeValue>> countKeys = jobs.stream().map(j -> Map.of(
                "pk", AttributeValue.fromS(Facet.JOB.listKey(tenantId, j.path("id").asText())),
                "sk", AttributeValue.fromS(SearchIndex.COUNT))).toList();
        Map<String, Map<String, Long>> stageCounts = new HashMap<>();
        Set<String> stageIds = new LinkedHashSet<>();
        for (Map<String, AttributeValue> item : reader.getAll(countKeys, cost)) {
            Map<String, Long> byStage = new HashMap<>();
            item.forEach((name, value) -> {
                if (name.startsWith(SearchIndex.STAGE_PREFIX) && Long.parseLong(value.n()) > 0) {
                    byStage.put(name.substring(SearchIndex.STAGE_PREFIX.length()), Long.parseLong(value.n()));
                }
            });
            stageIds.addAll(byStage.keySet());
            stageCounts.put(item.get("pk").s(), byStage);
        }
        List<String> postingIds = new ArrayList<>();
        jobs.forEach(j -> j.path("jobPostingIds").forEach(id -> postingIds.add(id.asText())));
        Map<String, JsonNode> postings = reader.records(tenantId, "JOB_POSTING", postingIds, cost);
        Map<String, JsonNode> stages = reader.records(tenantId, "INTERVIEW_STAGE", List.copyOf(stageIds), cost);

        List<ObjectNode> cards = new ArrayList<>();
        for (JsonNode job : jobs) {
            String jobId = job.path("id").asText();
            ObjectNode card = mapper.createObjectNode();
            card.put("id", jobId);
            card.put("title", job.path("title").asText(null));
            card.put("status", job.path("status").asText(null));
            card.put("confidential", job.path("confidential").asBoolean(false));
            ObjectNode team = card.putObject("hiringTeam");
            for (JsonNode member : job.path("hiringTeam")) {
                ArrayNode role = team.has(member.path("role").asText()) ? (ArrayNode) team.get(member.path("role").asText())
                        : team.putArray(member.path("role").asText());
                role.addObject().put("userId", member.path("userId").asText()).put("firstName", member.path("firstName").asText(null))
                        .put("lastName", member.path("lastName").asText(null)).put("email", member.path("email").asText(null));
            }
            ArrayNode jobPostings = card.putArray("jobPostings");
            for (JsonNode id : job.path("jobPostingIds")) {
                JsonNode posting = postings.get(id.asText());
                if (posting == null) continue;
                jobPostings.addObject().put("id", id.asText()).put("title", posting.path("title").asText(null))
                        .put("isListed", posting.path("isListed").asBoolean(false))
                        .put("externalLink", posting.path("externalLink").asText(null));
            }
            Map<String, Long> counts = stageCounts.getOrDefault(Facet.JOB.listKey(tenantId, jobId), Map.of());
            ArrayNode byStage = card.putArray("stageCounts");
            counts.entrySet().stream()
                    .sorted(Comparator.comparingInt((Map.Entry<String, Long> e) -> stages.containsKey(e.getKey())
                            ? stages.get(e.getKey()).path("orderInInterviewPlan").asInt() : Integer.MAX_VALUE).thenComparing(Map.Entry::getKey))
                    .forEach(e -> byStage.addObject().put("stageId", e.getKey())
                            .put("title", stages.containsKey(e.getKey()) ? stages.get(e.getKey()).path("title").asText(null) : null)
                            .put("count", e.getValue()));
            card.put("applicationCount", counts.values().stream().mapToLong(Long::longValue).sum());
            cards.add(card);
        }
        return cards;
    }

    private static boolean onTeam(JsonNode job, String userId) {
        for (JsonNode member : job.path("hiringTeam")) {
            if (userId.equals(member.path("userId").asText())) return true;
        }
        return false;
    }
}
