package io.ashbysync.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.outbound.ClaimCheck;
import io.ashbysync.platform.AwsResources;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Idempotency records in the idempotency table ({@code pk=<tenantId>#<id>, sk=RECORD}): one per command (or other
 * at-least-once input). A record is IN_PROGRESS under a lease, then COMPLETED with its result; "expired" is never
 * stored, it is the TTL ({@code expiresAt}) or a lease in the past. While in progress the record also keeps the
 * work's progress, so a redelivery after a crash resumes instead of starting over.
 *
 * <p>{@link #begin} is one conditional update: it creates the record, or takes over one whose lease ran out (keeping
 * its progress). On conflict DynamoDB returns the existing record with the failure, which saves a read. Each begin
 * writes its own attempt id, so when the SDK re-sends a begin whose answer was lost, the conflict it meets is its own
 * lease, not another delivery's.
 */
@ApplicationScoped
public class IdempotencyStore {
    static final String SORT_KEY = "RECORD";

    public enum Status { IN_PROGRESS, COMPLETED }

    /** The outcome of {@link #begin}. */
    public sealed interface Begin {}

    /** The caller owns the work until {@code leaseUntil}; {@code progress} is empty on a first attempt. */
    public record Started(ObjectNode progress) implements Begin {}

    /** Done before: here is the stored result. */
    public record AlreadyCompleted(JsonNode result, boolean resultDelivered) implements Begin {}

    /** Someone else holds a live lease (a concurrent delivery). */
    public record InProgressElsewhere(Instant leaseUntil) implements Begin {}

    /** The id was used before with a different payload. */
    public record PayloadMismatch() implements Begin {}

    /** A result larger than this goes to S3: the item must stay under 400 KB with its other attributes and names. */
    static final int MAX_INLINE_RESULT_CHARS = 300_000;

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final ObjectMapper mapper;
    private final ClaimCheck claims;

    public IdempotencyStore(DynamoDbClient dynamo, AwsResources resources, ObjectMapper mapper, ClaimCheck claims) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.mapper = mapper;
        this.claims = claims;
    }

    public Begin begin(String tenantId, String id, String payloadHash, Instant now, Duration lease, Duration retention) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":inProgress", s(Status.IN_PROGRESS.name()));
        values.put(":leaseUntil", n(now.plus(lease).toEpochMilli()));
        values.put(":now", n(now.toEpochMilli()));
        values.put(":hash", s(payloadHash));
        values.put(":expiresAt", n(now.plus(retention).getEpochSecond()));
        values.put(":emptyProgress", s("{}"));
        String attempt = UUID.randomUUID().toString();
        values.put(":attempt", s(attempt));
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(r -> r.tableName(resources.idempotencyTable())
                    .key(key(tenantId, id))
                    .updateExpression("SET #status = :inProgress, leaseUntil = :leaseUntil, payloadHash = :hash, "
                            + "expiresAt = :expiresAt, progress = if_not_exists(progress, :emptyProgress), attempt = :attempt")
                    .conditionExpression("attribute_not_exists(pk) OR (#status = :inProgress AND leaseUntil < :now AND payloadHash = :hash)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            return new Started(json(item.get("progress")));
        } catch (ConditionalCheckFailedException conflict) {
            Map<String, AttributeValue> existing = conflict.hasItem() ? conflict.item() : read(tenantId, id);
            if (existing == null || existing.isEmpty()) {
                // Deleted between our write and the read: a fresh attempt settles it.
                return begin(tenantId, id, payloadHash, now, lease, retention);
            }
            if (existing.containsKey("attempt") && attempt.equals(existing.get("attempt").s())) {
                return new Started(json(existing.get("progress")));
            }
            if (!payloadHash.equals(existing.get("payloadHash").s())) {
                return new PayloadMismatch();
            }
            if (Status.COMPLETED.name().equals(existing.get("status").s())) {
                return new AlreadyCompleted(result(existing),
                        existing.containsKey("resultDelivered") && existing.get("resultDelivered").bool());
            }
            return new InProgressElsewhere(Instant.ofEpochMilli(Long.parseLong(existing.get("leaseUntil").n())));
        }
    }

    /** Saves the progress of work in flight; only the lease holder calls this. */
    public void saveProgress(String tenantId, String id, ObjectNode progress) {
        dynamo.updateItem(r -> r.tableName(resources.idempotencyTable()).key(key(tenantId, id))
                .updateExpression("SET progress = :progress")
                .conditionExpression("#status = :inProgress")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":progress", attribute(progress), ":inProgress", s(Status.IN_PROGRESS.name()))));
    }

    /** Ends the lease early (the work failed and may be retried at once), keeping the progress. */
    public void release(String tenantId, String id) {
        dynamo.updateItem(r -> r.tableName(resources.idempotencyTable()).key(key(tenantId, id))
                .updateExpression("SET leaseUntil = :zero")
                .conditionExpression("#status = :inProgress")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":zero", n(0), ":inProgress", s(Status.IN_PROGRESS.name()))));
    }

    /**
     * {@link #release(String, String)}, keeping why the attempt failed in the same write: what an operator reads
     * when the message ends in a dead-letter queue ({@link #lastFailure}).
     */
    public void release(String tenantId, String id, String failure, Instant at) {
        dynamo.updateItem(r -> r.tableName(resources.idempotencyTable()).key(key(tenantId, id))
                .updateExpression("SET leaseUntil = :zero, lastFailure = :failure, lastFailureAt = :at")
                .conditionExpression("#status = :inProgress")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":zero", n(0), ":inProgress", s(Status.IN_PROGRESS.name()),
                        ":failure", s(failure == null || failure.isBlank() ? "(no message)" : failure), ":at", s(at.toString()))));
    }

    /** Why the last failed attempt failed, if one did and the record still exists. */
    public record Failure(String message, Instant at) {}

    public Optional<Failure> lastFailure(String tenantId, String id) {
        Map<String, AttributeValue> item = read(tenantId, id);
        if (item == null || !item.containsKey("lastFailure")) return Optional.empty();
        return Optional.of(new Failure(item.get("lastFailure").s(), Instant.parse(item.get("lastFailureAt").s())));
    }

    public void complete(String tenantId, String id, JsonNode result) {
        StoredResult stored = storedResult(tenantId, id, result);
        dynamo.updateItem(r -> r.tableName(resources.idempotencyTable()).key(key(tenantId, id))
                .updateExpression("SET #status = :completed, " + stored.set() + " REMOVE leaseUntil, " + stored.remove())
                .expressionAttributeNames(Map.of("#status", "status", "#result", "result"))
                .expressionAttributeValues(Map.of(":completed", s(Status.COMPLETED.name()), ":result", stored.value())));
    }

    /**
     * A result as the record keeps it: in the record, or, when it would take the item past DynamoDB's 400 KB (a bulk
     * command's thousands of per-item results), as a claim check ({@code resultRef}) to the same JSON in S3.
     */
    private record StoredResult(String set, String remove, AttributeValue value) {}

    private StoredResult storedResult(String tenantId, String id, JsonNode result) {
        String json = text(result);
        if (json.length() <= MAX_INLINE_RESULT_CHARS && json.getBytes(StandardCharsets.UTF_8).length <= MAX_INLINE_RESULT_CHARS) {
            return new StoredResult("#result = :result", "resultRef", s(json));
        }
        return new StoredResult("resultRef = :result", "#result", s(text(mapper.valueToTree(claims.store(tenantId, "results", id, json)))));
    }

    private JsonNode result(Map<String, AttributeValue> item) {
        if (!item.containsKey("resultRef")) return json(item.get("result"));
        try {
            return mapper.readTree(claims.load(mapper.readValue(item.get("resultRef").s(), ClaimCheck.Ref.class)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("idempotency record's claimed result is not valid JSON", e);
        }
    }

    /**
     * Completes with a provisional result only if the record is still in progress: work that continues elsewhere
     * (bulk chunks) may already have stored the final result, which must not be overwritten. Marks it delivered,
     * because the final result is published by that work, not by the caller.
     */
    public void completeIfInProgress(String tenantId, String id, JsonNode provisionalResult) {
        StoredResult stored = storedResult(tenantId, id, provisionalResult);
        try {
            dynamo.updateItem(r -> r.tableName(resources.idempotencyTable()).key(key(tenantId, id))
                    .updateExpression("SET #status = :completed, " + stored.set() + ", resultDelivered = :true REMOVE leaseUntil, " + stored.remove())
                    .conditionExpression("#status = :inProgress")
                    .expressionAttributeNames(Map.of("#status", "status", "#result", "result"))
                    .expressionAttributeValues(Map.of(":completed", s(Status.COMPLETED.name()), ":result", stored.value(),
                            ":true", AttributeValue.fromBool(true), ":inProgress", s(Status.IN_PROGRESS.name()))));
        } catch (ConditionalCheckFailedException finishedAlready) {
            // The work finished first and stored the final result.
        }
    }

    /** Marks the result as handed to Findem, so a redelivery after that does not send it again. */
    public void markResultDelivered(String tenantId, String id) {
        dynamo.updateItem(r -> r.tableName(resources.idempotencyTable()).key(key(tenantId, id))
                .updateExpression("SET resultDelivered = :true")
                .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true))));
    }

    private Map<String, AttributeValue> read(String tenantId, String id) {
        return dynamo.getItem(r -> r.tableName(resources.idempotencyTable()).key(key(tenantId, id)).consistentRead(true)).item();
    }

    private static Map<String, AttributeValue> key(String tenantId, String id) {
        return Map.of("pk", s(tenantId + "#" + id), "sk", s(SORT_KEY));
    }

    /** Stored as a JSON string: compact, and free of DynamoDB's empty-set and number-precision rules. */
    private AttributeValue attribute(JsonNode json) {
        return s(text(json));
    }

    private String text(JsonNode json) {
        try {
            return mapper.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise idempotency data", e);
        }
    }

    private ObjectNode json(AttributeValue value) {
        if (value == null || value.s() == null) return mapper.createObjectNode();
        try {
            JsonNode node = mapper.readTree(value.s());
            return node instanceof ObjectNode object ? object : mapper.createObjectNode();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("idempotency record holds invalid JSON", e);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
