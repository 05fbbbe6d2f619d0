package io.ashbysync.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Rejections that archive later (minutes to days: SQS delays stop at 15 minutes). Each is two items in the tenants
 * table: the rejection ({@code sk=DELAYED#<rejectionId>}: what to do, status SCHEDULED, FIRING, FIRED or CANCELLED) and a
 * due marker ({@code sk=DUE#<epoch ms, 15 digits>#<rejectionId>}) that sorts by due time, so one query per tenant finds
 * what is due. The scheduled poller calls {@link #fireDue(String, Instant)} for each tenant; firing starts a {@link RejectionJobs} run whose
 * outcome goes to Findem as an {@code application.reject.completed} event.
 */
@ApplicationScoped
public class DelayedRejections {
    private static final Logger LOG = Logger.getLogger(DelayedRejections.class);
    private static final Duration RETENTION_AFTER_DUE = Duration.ofDays(30);

    public enum CancelOutcome { CANCELLED, ALREADY_CANCELLED, ALREADY_FIRED, NOT_FOUND }

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final ObjectMapper mapper;
    private final RejectionJobs jobs;

    public DelayedRejections(DynamoDbClient dynamo, AwsResources resources, ObjectMapper mapper, RejectionJobs jobs) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.mapper = mapper;
        this.jobs = jobs;
    }

    /** Stores the rejection and its due marker together; a second call for the same id changes nothing. */
    public void schedule(String tenantId, String rejectionId, Instant dueAt, ObjectNode spec, List<String> applicationIds) {
        String dueSk = dueSk(dueAt, rejectionId);
        Map<String, AttributeValue> rejection = new HashMap<>(key(tenantId, rejectionSk(rejectionId)));
        rejection.put("status", s("SCHEDULED"));
        rejection.put("dueSk", s(dueSk));
        rejection.put("dueAt", s(dueAt.toString()));
        rejection.put("spec", jobs.json(spec));
        rejection.put("applicationIds", jobs.json(mapper.valueToTree(applicationIds)));
        rejection.put("expiresAt", n(dueAt.plus(RETENTION_AFTER_DUE).getEpochSecond()));
        Map<String, AttributeValue> due = new HashMap<>(key(tenantId, dueSk));
        due.put("rejectionId", s(rejectionId));
        try {
            dynamo.transactWriteItems(t -> t.transactItems(
                    i -> i.put(p -> p.tableName(resources.tenantsTable()).item(rejection).conditionExpression("attribute_not_exists(sk)")),
                    i -> i.put(p -> p.tableName(resources.tenantsTable()).item(due).conditionExpression("attribute_not_exists(sk)"))));
        } catch (TransactionCanceledException cancelled) {
            // only a failed condition means an earlier attempt stored it; a conflict or throttling stored nothing
            if (cancelled.cancellationReasons().stream().noneMatch(r -> "ConditionalCheckFailed".equals(r.code()))) throw cancelled;
            LOG.infof("delayed rejection %s was already scheduled", rejectionId);
        }
    }

    public CancelOutcome cancel(String tenantId, String rejectionId) {
        Map<String, AttributeValue> rejection = dynamo.getItem(r -> r.tableName(resources.tenantsTable())
                .key(key(tenantId, rejectionSk(rejectionId))).consistentRead(true)).item();
        if (rejection == null || rejection.isEmpty()) return CancelOutcome.NOT_FOUND;
        switch (rejection.get("status").s()) {
            case "CANCELLED" -> { return CancelOutcome.ALREADY_CANCELLED; }
            case "FIRING", "FIRED" -> { return CancelOutcome.ALREADY_FIRED; }
            default -> { }
        }
        try {
            dynamo.transactWriteItems(t -> t.transactItems(
                    i -> i.update(u -> u.tableName(resources.tenantsTable()).key(key(tenantId, rejectionSk(rejectionId)))
                            .updateExpression("SET #status = :cancelled").conditionExpression("#status = :scheduled")
                            .expressionAttributeNames(Map.of("#status", "status"))
                            .expressionAttributeValues(Map.of(":cancelled", s("CANCELLED"), ":scheduled", s("SCHEDULED")))),
                    i -> i.delete(d -> d.tableName(resources.tenantsTable()).key(key(tenantId, rejection.get("dueSk").s())))));
            return CancelOutcome.CANCELLED;
        } catch (TransactionCanceledException raced) {
            return cancel(tenantId, rejectionId);
        }
    }

    /**
     * Marks each due rejection FIRING, starts its job (idempotent by rejection id), then removes the marker and marks
     * it FIRED. A crash in between leaves the marker, so the next call finishes the firing without repeating effects.
     */
    public int fireDue(String tenantId, Instant now) {
        List<Map<String, AttributeValue>> due = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(resources.tenantsTable()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                        .expressionAttributeValues(Map.of(":pk", s(TenantStore.partitionKey(tenantId)), ":from", s("DUE#"),
                                ":to", s(String.format("DUE#%015d#~", now.toEpochMilli())))))
                .items().forEach(due::add);
        int fired = 0;
        for (Map<String, AttributeValue> marker : due) {
            String rejectionId = marker.get("rejectionId").s();
            Map<String, AttributeValue> rejection = dynamo.getItem(r -> r.tableName(resources.tenantsTable())
                    .key(key(tenantId, rejectionSk(rejectionId))).consistentRead(true)).item();
            String status = rejection == null || rejection.isEmpty() ? "MISSING" : rejection.get("status").s();
            if (status.equals("SCHEDULED")) {
                try {
                    dynamo.updateItem(u -> u.tableName(resources.tenantsTable()).key(key(tenantId, rejectionSk(rejectionId)))
                            .updateExpression("SET #status = :firing").conditionExpression("#status = :scheduled")
                            .expressionAttributeNames(Map.of("#status", "status"))
                            .expressionAttributeValues(Map.of(":firing", s("FIRING"), ":scheduled", s("SCHEDULED"))));
                    status = "FIRING";
                } catch (ConditionalCheckFailedException cancelledMeanwhile) {
                    continue;
                }
            }
            if (status.equals("FIRING")) {
                List<String> ids = new ArrayList<>();
                jobs.parse(rejection.get("applicationIds")).forEach(id -> ids.add(id.asText()));
                JsonNode spec = jobs.parse(rejection.get("spec"));
                jobs.start(tenantId, (ObjectNode) spec, ids);
                dynamo.updateItem(u -> u.tableName(resources.tenantsTable()).key(key(tenantId, rejectionSk(rejectionId)))
                        .updateExpression("SET #status = :fired").expressionAttributeNames(Map.of("#status", "status"))
                        .expressionAttributeValues(Map.of(":fired", s("FIRED"))));
                fired++;
            }
            dynamo.deleteItem(d -> d.tableName(resources.tenantsTable()).key(key(tenantId, marker.get("sk").s())));
        }
        return fired;
    }

    private static String rejectionSk(String rejectionId) {
        return "DELAYED#" + rejectionId;
    }

    private static String dueSk(Instant dueAt, String rejectionId) {
        return String.format("DUE#%015d#%s", dueAt.toEpochMilli(), rejectionId);
    }

    private static Map<String, AttributeValue> key(String tenantId, String sk) {
        return Map.of("pk", s(TenantStore.partitionKey(tenantId)), "sk", s(sk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
