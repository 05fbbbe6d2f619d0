package io.ashbysync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.work.WorkItem;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One verified Ashby delivery as it travels on the work queue: {@code webhookActionId} (the de-duplication key:
 * Ashby sends the same id on retries and on related webhooks of one change), the action, Ashby's {@code data}, the
 * ids it is about, and when the function received it.
 *
 * @param targets the ids the action names, by field path (e.g. {@code data.application.id}); validated on intake
 */
public record WebhookDelivery(String webhookActionId, String action, JsonNode data, Map<String, String> targets,
                              Instant receivedAt) {
    public static final String WORK_TYPE = "webhook.delivery";
    private static final Pattern ACTION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** The actions handled, each with the id fields its {@code data} must carry (Ashby's OpenAPI webhook schemas). */
    public enum Kind {
        APPLICATION(List.of("data.application.id")),
        CANDIDATE_DELETE(List.of("data.candidate.id")),
        CANDIDATE_MERGE(List.of("data.deletedCandidate.id", "data.mergedCandidate.id")),
        JOB(List.of("data.job.id")),
        JOB_POSTING(List.of("data.jobPosting.id", "data.jobPosting.jobId")),
        INTERVIEW_PLAN_TRANSITION(List.of("data.jobId", "data.toInterviewPlan.id"));

        final List<String> requiredIds;

        Kind(List<String> requiredIds) {
            this.requiredIds = requiredIds;
        }
    }

    static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("applicationSubmit", Kind.APPLICATION),
            Map.entry("applicationUpdate", Kind.APPLICATION),
            Map.entry("candidateStageChange", Kind.APPLICATION),
            Map.entry("candidateHire", Kind.APPLICATION),
            Map.entry("candidateDelete", Kind.CANDIDATE_DELETE),
            Map.entry("candidateMerge", Kind.CANDIDATE_MERGE),
            Map.entry("jobCreate", Kind.JOB),
            Map.entry("jobUpdate", Kind.JOB),
            Map.entry("jobPostingPublish", Kind.JOB_POSTING),
            Map.entry("jobPostingUnpublish", Kind.JOB_POSTING),
            Map.entry("jobPostingUpdate", Kind.JOB_POSTING),
            Map.entry("interviewPlanTransition", Kind.INTERVIEW_PLAN_TRANSITION));

    /** A body that is JSON but not a delivery we can act on; the message names the field. */
    public static class InvalidDeliveryException extends RuntimeException {
        InvalidDeliveryException(String message) {
            super(message);
        }
    }

    public Kind kind() {
        return KINDS.get(action);
    }

    public String target(String field) {
        return targets.get(field);
    }

    /** Whether the action is one this service acts on ({@code ping} and others are answered and dropped). */
    public static boolean handles(String action) {
        return KINDS.containsKey(action);
    }

    /**
     * Reads a handled action's body.
     *
     * @throws InvalidDeliveryException naming the missing or malformed field
     */
    public static WebhookDelivery parse(JsonNode body, Instant receivedAt) {
        String action = body.path("action").asText();
        Kind kind = KINDS.get(action);
        if (kind == null) throw new IllegalArgumentException("not a handled action: " + action);
        JsonNode actionId = body.get("webhookActionId");
        if (actionId == null || !actionId.isTextual() || !ACTION_ID.matcher(actionId.asText()).matches()) {
            throw new InvalidDeliveryException("webhookActionId is missing or not an id");
        }
        if (!body.path("data").isObject()) throw new InvalidDeliveryException("data is missing or not an object");
        Map<String, String> targets = new LinkedHashMap<>();
        for (String field : kind.requiredIds) {
            JsonNode value = body;
            for (String step : field.split("\\.")) value = value.path(step);
            if (!value.isTextual() || value.asText().isBlank()) {
                throw new InvalidDeliveryException(field + " is missing or not a string");
            }
            targets.put(field, value.asText());
        }
        return new WebhookDelivery(actionId.asText(), action, body.get("data"), Map.copyOf(targets), receivedAt);
    }

    WorkItem toWorkItem(ObjectMapper mapper, String tenantId) {
        ObjectNode payload = mapper.createObjectNode().put("webhookActionId", webhookActionId).put("action", action)
                .put("receivedAt", receivedAt.toEpochMilli());
        payload.set("data", data);
        ObjectNode ids = payload.putObject("targets");
        targets.forEach(ids::put);
        return new WorkItem(WORK_TYPE, tenantId, webhookActionId + ":" + action, payload);
    }

    static WebhookDelivery fromWorkItem(WorkItem item) {
        ObjectNode payload = item.payload();
        Map<String, String> targets = new LinkedHashMap<>();
        payload.path("targets").properties().forEach(e -> targets.put(e.getKey(), e.getValue().asText()));
        return new WebhookDelivery(payload.path("webhookActionId").asText(), payload.path("action").asText(),
                payload.path("data"), Map.copyOf(targets), Instant.ofEpochMilli(payload.path("receivedAt").asLong()));
    }
}
