package io.ashbysync.ashby.budget;

import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * One item per tenant ({@code pk=TENANT#<id>, sk=BUDGET}) holding the grants still inside the horizon, updated with
 * optimistic locking on {@code version}. A lease costs one consistent read and one conditional write, and is taken
 * once per block of permits, not per request.
 */
@ApplicationScoped
public class DynamoBudgetLeaseStore implements BudgetLeaseStore {
    static final String SORT_KEY = "BUDGET";
    private static final int MAX_CONFLICT_RETRIES = 20;

    private record Grant(String id, long atMillis, int count) {}

    private final DynamoDbClient dynamo;
    private final AwsResources resources;

    public DynamoBudgetLeaseStore(DynamoDbClient dynamo, AwsResources resources) {
        this.dynamo = dynamo;
        this.resources = resources;
    }

    @Override
    public Lease lease(String tenantId, int wanted, int limit, Duration horizon, Instant now, Unused giveBack) {
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)),
                "sk", AttributeValue.fromS(SORT_KEY));
        for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.tenantsTable()).key(key).consistentRead(true)).item();
            long version = item != null && item.containsKey("version") ? Long.parseLong(item.get("version").n()) : 0;
            long oldest = now.toEpochMilli() - horizon.toMillis();
            List<Grant> grants = new ArrayList<>();
            for (Grant g : readGrants(item)) {
                int count = giveBack != null && g.id().equals(giveBack.grantId()) ? Math.max(0, g.count() - giveBack.count()) : g.count();
                if (g.atMillis() > oldest && count > 0) {
                    grants.add(new Grant(g.id(), g.atMillis(), count));
                }
            }
            int inWindow = grants.stream().mapToInt(Grant::count).sum();
            int granted = Math.min(wanted, limit - inWindow);
            Lease lease;
            if (granted > 0) {
                Grant grant = new Grant(UUID.randomUUID().toString(), now.toEpochMilli(), granted);
                grants.add(grant);
                lease = new Granted(grant.id(), granted);
            } else {
                long freesAt = grants.stream().mapToLong(Grant::atMillis).min().orElse(now.toEpochMilli()) + horizon.toMillis() + 1;
                lease = new Exhausted(Instant.ofEpochMilli(freesAt));
                if (giveBack == null) {
                    return lease;
                }
            }
            if (write(key, grants, version, now.plus(horizon).plusSeconds(3600))) {
                return lease;
            }
        }
        throw new IllegalStateException("budget item of tenant '" + tenantId + "' kept changing under us; gave up after "
                + MAX_CONFLICT_RETRIES + " attempts");
    }

    private boolean write(Map<String, AttributeValue> key, List<Grant> grants, long version, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put("grants", AttributeValue.fromL(grants.stream().map(g -> AttributeValue.fromM(Map.of(
                "id", AttributeValue.fromS(g.id()),
                "at", AttributeValue.fromN(Long.toString(g.atMillis())),
                "n", AttributeValue.fromN(Integer.toString(g.count()))))).toList()));
        item.put("version", AttributeValue.fromN(Long.toString(version + 1)));
        item.put("expiresAt", AttributeValue.fromN(Long.toString(expiresAt.getEpochSecond())));
        try {
            dynamo.putItem(r -> r.tableName(resources.tenantsTable()).item(item)
                    .conditionExpression(version == 0 ? "attribute_not_exists(pk)" : "version = :v")
                    .expressionAttributeValues(version == 0 ? null : Map.of(":v", AttributeValue.fromN(Long.toString(version)))));
            return true;
        } catch (ConditionalCheckFailedException conflict) {
            return false;
        }
    }

    private static List<Grant> readGrants(Map<String, AttributeValue> item) {
        if (item == null || !item.containsKey("grants")) {
            return List.of();
        }
        return item.get("grants").l().stream().map(AttributeValue::m).map(m -> new Grant(m.get("id").s(),
                Long.parseLong(m.get("at").n()), Integer.parseInt(m.get("n").n()))).toList();
    }
}
