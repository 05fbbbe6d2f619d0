package io.ashbysync.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the search index keeps of a candidate document: the summary a hit shows and, per application, the fields the
 * filters test. The same projection is stored on every posting of the candidate, so any posting list can check every
 * other filter without reading the mirror.
 *
 * @param hit       {@code {candidate: {...}, updatedAt, applications: [...]}}, as a search hit returns it
 * @param updatedAt the latest {@code updatedAt} of the candidate and its applications (the order of every list)
 */
record IndexedCandidate(String candidateId, ObjectNode hit, long updatedAt) {

    static IndexedCandidate of(String candidateId, JsonNode document, ObjectMapper mapper) {
        JsonNode c = document.path("candidate");
        ObjectNode hit = mapper.createObjectNode();
        ObjectNode summary = hit.putObject("candidate");
        summary.put("id", candidateId);
        copyText(c, summary, "name");
        summary.put("primaryEmailAddress", c.path("primaryEmailAddress").path("value").asText(null));
        copyText(c, summary, "position");
        copyText(c, summary, "company");
        copyText(c, summary, "profileUrl");
        copyText(c, summary, "createdAt");
        copyText(c, summary, "updatedAt");
        summary.put("findemProfileId", document.path("findemProfileId").asText(null));
        ArrayNode tags = summary.putArray("tags");
        c.path("tags").forEach(t -> tags.addObject().put("id", t.path("id").asText()).put("title", t.path("title").asText(null)));
        summary.set("source", reference(c.path("source"), "title", mapper));
        long latest = millis(c.path("updatedAt").asText(null));
        ArrayNode applications = hit.putArray("applications");
        for (JsonNode a : document.path("applications")) {
            ObjectNode application = applications.addObject();
            application.put("id", a.path("id").asText());
            copyText(a, application, "status");
            application.set("job", reference(a.path("job"), "title", mapper));
            application.set("currentInterviewStage", reference(a.path("currentInterviewStage"), "title", mapper));
            application.set("archiveReason", reference(a.path("archiveReason"), "text", mapper));
            application.set("source", reference(a.path("source"), "title", mapper));
            copyText(a, application, "archivedAt");
            copyText(a, application, "createdAt");
            copyText(a, application, "updatedAt");
            latest = Math.max(latest, millis(a.path("updatedAt").asText(null)));
        }
        hit.put("updatedAt", Instant.ofEpochMilli(latest).toString());
        return new IndexedCandidate(candidateId, hit, latest);
    }

    /** Rebuilds one from a stored posting's {@code hit}. */
    static IndexedCandidate stored(JsonNode hit) {
        return new IndexedCandidate(hit.path("candidate").path("id").asText(), (ObjectNode) hit,
                millis(hit.path("updatedAt").asText(null)));
    }

    /** The posting lists the candidate belongs to (ALL, its tags, and every value of its applications). */
    Map<String, Set<String>> listValues() {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        values.put(Facet.ALL.name(), Set.of(""));
        Set<String> tags = new LinkedHashSet<>();
        hit.path("candidate").path("tags").forEach(t -> tags.add(t.path("id").asText()));
        values.put(Facet.TAG.name(), tags);
        for (Facet facet : List.of(Facet.JOB, Facet.STAGE, Facet.STATUS, Facet.REASON, Facet.SOURCE)) {
            Set<String> set = new LinkedHashSet<>();
            for (JsonNode application : hit.path("applications")) {
                String value = applicationValue(application, facet);
                if (value != null) set.add(value);
            }
            values.put(facet.name(), set);
        }
        return values;
    }

    /** Applications per stage, for each job the candidate applied to: the job cards' counts. */
    Map<String, Map<String, Integer>> stageCountsByJob() {
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        for (JsonNode application : hit.path("applications")) {
            String job = applicationValue(application, Facet.JOB);
            String stage = applicationValue(application, Facet.STAGE);
            if (job == null || stage == null) continue;
            counts.computeIfAbsent(job, j -> new LinkedHashMap<>()).merge(stage, 1, Integer::sum);
        }
        return counts;
    }

    static String applicationValue(JsonNode application, Facet facet) {
        JsonNode value = switch (facet) {
            case JOB -> application.path("job").path("id");
            case STAGE -> application.path("currentInterviewStage").path("id");
            case STATUS -> application.path("status");
            case REASON -> application.path("archiveReason").path("id");
            case SOURCE -> application.path("source").path("id");
            case ALL, TAG -> throw new IllegalArgumentException(facet + " is not an application field");
        };
        return value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
    }

    List<JsonNode> applications() {
        List<JsonNode> list = new ArrayList<>();
        hit.path("applications").forEach(list::add);
        return list;
    }

    Set<String> tagIds() {
        Set<String> ids = new LinkedHashSet<>();
        hit.path("candidate").path("tags").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    private static JsonNode reference(JsonNode node, String label, ObjectMapper mapper) {
        if (!node.isObject() || !node.path("id").isTextual()) return mapper.nullNode();
        return mapper.createObjectNode().put("id", node.path("id").asText()).put(label, node.path(label).asText(null));
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        to.put(field, from.path(field).isValueNode() && !from.path(field).isNull() ? from.path(field).asText() : null);
    }

    private static long millis(String iso) {
        return iso == null || iso.isEmpty() ? 0 : Instant.parse(iso).toEpochMilli();
    }
}
