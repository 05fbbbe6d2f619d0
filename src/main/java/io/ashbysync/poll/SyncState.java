package io.ashbysync.poll;

import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The poller's rows in the tenants table, under the tenant's partition:
 * <ul>
 *   <li>{@code LEASE#poller}: who polls the tenant now, until when (one poller per tenant).</li>
 *   <li>{@code CURSOR#<stream>}: the checkpoint of one listing ({@link StreamCursor}).</li>
 *   <li>{@code STATUS#poller}: progress for operators (counts, rate, ETA).</li>
 *   <li>{@code HEALTH#<part>}: last success and last error with a hint, for the status page.</li>
 * </ul>
 */
@ApplicationScoped
public class SyncState {
    static final String LEASE_SK = "LEASE#poller";
    static final String CURSOR_SK = "CURSOR#";
    static final String STATUS_SK = "STATUS#poller";

    private final DynamoDbClient dynamo;
    private final AwsResources resources;

    public SyncState(DynamoDbClient dynamo, AwsResources resources) {
        this.dynamo = dynamo;
        this.resources = resources;
    }

    /**
     * A listing's checkpoint.
     *
     * @param syncToken    token of the last pass that drained (the next incremental pass starts from it)
     * @param passId       the pass in progress, null between passes
     * @param passToken    token the pass in progress started from; null for a full pass
     * @param cursor       next page of the pass in progress; null before its first page
     * @param pendingToken new token of a drained full pass whose reconciliation is not done yet
     * @param lastFullAt   when the last full pass drained (full passes reconcile deletions)
     * @param passRecords  records applied so far in the pass in progress (or in the last one)
     * @param lastFullCount records of the last full pass: what the next one is expected to list (for the ETA)
     */
    public record StreamCursor(String syncToken, String passId, String passToken, String cursor, String pendingToken,
                               Instant lastFullAt, long passRecords, long lastFullCount) {
        public static final StreamCursor NONE = new StreamCursor(null, null, null, null, null, null, 0, 0);

        public boolean inPass() {
            return passId != null;
        }
    }

    // ---- lease ----------------------------------------------------------------------------------------------------

    /** Takes the tenant's poller lease if nobody holds a live one. */
    public boolean acquireLease(String tenantId, String owner, Instant now, Instant until) {
        Map<String, AttributeValue> item = new HashMap<>(key(tenantId, LEASE_SK));
        item.put("owner", s(owner));
        item.put("leaseUntil", n(until.toEpochMilli()));
        item.put("expiresAt", n(until.getEpochSecond() + 3600));
        try {
            dynamo.putItem(r -> r.tableName(table()).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR leaseUntil < :now OR #owner = :me")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli()), ":me", s(owner))));
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    public void releaseLease(String tenantId, String owner) {
        try {
            dynamo.deleteItem(r -> r.tableName(table()).key(key(tenantId, LEASE_SK))
                    .conditionExpression("#owner = :me").expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":me", s(owner))));
        } catch (ConditionalCheckFailedException takenOver) {
            // our lease ran out and another poller holds it now: theirs to release
        }
    }

    // ---- cursors --------------------------------------------------------------------------------------------------

    public StreamCursor cursor(String tenantId, String stream) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table()).key(key(tenantId, CURSOR_SK + stream))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) return StreamCursor.NONE;
        return new StreamCursor(str(item, "syncToken"), str(item, "passId"), str(item, "passToken"), str(item, "cursor"),
                str(item, "pendingToken"), Optional.ofNullable(str(item, "lastFullAt")).map(Instant::parse).orElse(null),
                num(item, "passRecords"), num(item, "lastFullCount"));
    }

    public void saveCursor(String tenantId, String stream, StreamCursor cursor) {
        Map<String, AttributeValue> item = new HashMap<>(key(tenantId, CURSOR_SK + stream));
        put(item, "syncToken", cursor.syncToken());
        put(item, "passId", cursor.passId());
        put(item, "passToken", cursor.passToken());
        put(item, "cursor", cursor.cursor());
        put(item, "pendingToken", cursor.pendingToken());
        put(item, "lastFullAt", cursor.lastFullAt() == null ? null : cursor.lastFullAt().toString());
        item.put("passRecords", n(cursor.passRecords()));
        item.put("lastFullCount", n(cursor.lastFullCount()));
        dynamo.putItem(r -> r.tableName(table()).item(item));
    }

    /** Makes the stream's next pass a full one (reconciling deletions), e.g. on an operator's request. */
    public void requestFullPass(String tenantId, String stream) {
        StreamCursor c = cursor(tenantId, stream);
        saveCursor(tenantId, stream, new StreamCursor(c.syncToken(), c.passId(), c.passToken(), c.cursor(), c.pendingToken(),
                null, c.passRecords(), c.lastFullCount()));
    }

    // ---- status ---------------------------------------------------------------------------------------------------

    public void saveStatus(String tenantId, Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> item = new HashMap<>(key(tenantId, STATUS_SK));
        item.putAll(attributes);
        dynamo.putItem(r -> r.tableName(table()).item(item));
    }

    public Map<String, AttributeValue> status(String tenantId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table()).key(key(tenantId, STATUS_SK)).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    // ---- health (for operators: last success and last error of the tenant's sync) ---------------------------------

    static final String HEALTH_SK = "HEALTH#";

    /**
     * The last success and the last error of one part of the sync ({@code poller} for a whole pass, or a stream).
     *
     * @param hint what an operator should do, e.g. "missing permission: candidatesWrite"; null when unknown
     */
    public record Health(String part, Instant lastSuccessAt, Instant lastErrorAt, String lastError, String hint) {}

    public void recordSuccess(String tenantId, String part, Instant at) {
        dynamo.updateItem(r -> r.tableName(table()).key(key(tenantId, HEALTH_SK + part))
                .updateExpression("SET lastSuccessAt = :at").expressionAttributeValues(Map.of(":at", s(at.toString()))));
    }

    public void recordFailure(String tenantId, String part, Instant at, String error, String hint) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":at", s(at.toString()), ":error", s(error)));
        String update = "SET lastErrorAt = :at, lastError = :error";
        if (hint != null) {
            values.put(":hint", s(hint));
            update += ", hint = :hint";
        } else {
            update += " REMOVE hint";
        }
        String expression = update;
        dynamo.updateItem(r -> r.tableName(table()).key(key(tenantId, HEALTH_SK + part))
                .updateExpression(expression).expressionAttributeValues(values));
    }

    /** Every health row of the tenant, by part. */
    public Map<String, Health> health(String tenantId) {
        Map<String, Health> health = new java.util.TreeMap<>();
        dynamo.queryPaginator(r -> r.tableName(table()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", s(TenantStore.partitionKey(tenantId)), ":prefix", s(HEALTH_SK))))
                .items().forEach(item -> {
                    String part = item.get("sk").s().substring(HEALTH_SK.length());
                    health.put(part, new Health(part, instant(item, "lastSuccessAt"), instant(item, "lastErrorAt"),
                            str(item, "lastError"), str(item, "hint")));
                });
        return health;
    }

    /** Every cursor of the tenant, by stream name. */
    public Map<String, StreamCursor> cursors(String tenantId) {
        Map<String, StreamCursor> cursors = new java.util.TreeMap<>();
        dynamo.queryPaginator(r -> r.tableName(table()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", s(TenantStore.partitionKey(tenantId)), ":prefix", s(CURSOR_SK))))
                .items().forEach(item -> cursors.put(item.get("sk").s().substring(CURSOR_SK.length()),
                        new StreamCursor(str(item, "syncToken"), str(item, "passId"), str(item, "passToken"), str(item, "cursor"),
                                str(item, "pendingToken"), instant(item, "lastFullAt"), num(item, "passRecords"), num(item, "lastFullCount"))));
        return cursors;
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(str(item, name)).map(Instant::parse).orElse(null);
    }

    private String table() {
        return resources.tenantsTable();
    }

    private static Map<String, AttributeValue> key(String tenantId, String sortKey) {
        return Map.of("pk", s(TenantStore.partitionKey(tenantId)), "sk", s(sortKey));
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) item.put(name, s(value));
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? 0 : Long.parseLong(v.n());
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
