package io.ashbysync.tenant;

import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.Metrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Items set aside because they cannot be used as they are (a malformed config row, an Ashby record or file answer
 * that does not parse), so one bad item never blocks the rest of its tenant, stream or candidate. Each is a row in
 * the tenant's partition of the tenants table ({@code QUARANTINE#<source>#<itemId>}) shown on the status page, and a
 * {@code QuarantinedItems} metric; recording the same item again only refreshes its reason (it keeps the time it was
 * first set aside), and an item that becomes usable again is {@link #release released}.
 */
@ApplicationScoped
public class Quarantine {
    private static final Logger LOG = Logger.getLogger(Quarantine.class);
    static final String SK_PREFIX = "QUARANTINE#";
    /** A reason is Ashby's or DynamoDB's words about the item: kept short, it is for operators, not a record of it. */
    private static final int MAX_REASON = 500;

    /** @param source what kind of item, e.g. {@code tenant-config}, {@code stream:candidate.list}, {@code file.info} */
    public record Item(String source, String itemId, String reason, Instant at) {}

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final Clock clock = Clock.systemUTC();

    public Quarantine(DynamoDbClient dynamo, AwsResources resources) {
        this.dynamo = dynamo;
        this.resources = resources;
    }

    public void record(String tenantId, String source, String itemId, String reason) {
        String shortReason = reason == null || reason.isBlank() ? "(no reason given)"
                : reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "…" : reason;
        LOG.warnf("quarantined %s %s of tenant %s: %s", source, itemId, tenantId, shortReason);
        // "at" is when it was first set aside: an item found bad on every pass keeps its date
        dynamo.updateItem(r -> r.tableName(resources.tenantsTable())
                .key(Map.of("pk", s(TenantStore.partitionKey(tenantId)), "sk", s(sortKey(source, itemId))))
                .updateExpression("SET #source = :source, itemId = :itemId, reason = :reason, #at = if_not_exists(#at, :now)")
                .expressionAttributeNames(Map.of("#source", "source", "#at", "at"))
                .expressionAttributeValues(Map.of(":source", s(source), ":itemId", s(itemId), ":reason", s(shortReason),
                        ":now", s(clock.instant().toString()))));
        Metrics.quarantined(tenantId, source);
    }

    public void release(String tenantId, String source, String itemId) {
        dynamo.deleteItem(r -> r.tableName(resources.tenantsTable())
                .key(Map.of("pk", s(TenantStore.partitionKey(tenantId)), "sk", s(sortKey(source, itemId)))));
    }

    public List<Item> list(String tenantId) {
        List<Item> items = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(resources.tenantsTable()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", s(TenantStore.partitionKey(tenantId)), ":prefix", s(SK_PREFIX))))
                .items().forEach(item -> items.add(new Item(item.get("source").s(), item.get("itemId").s(),
                        item.get("reason").s(), Instant.parse(item.get("at").s()))));
        return items;
    }

    static String sortKey(String source, String itemId) {
        return SK_PREFIX + source + "#" + itemId;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
