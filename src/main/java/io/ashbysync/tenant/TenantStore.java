package io.ashbysync.tenant;

import io.ashbysync.platform.AwsResources;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Tenant config rows in the tenants table: {@code pk=TENANT#<id>, sk=CONFIG}. The row holds more than
 * {@link TenantConfig} (settings read elsewhere, such as {@code receiptNotes}), so a change writes only the attributes
 * it changes ({@link #updateStatus}); {@link #save} writes a whole new row.
 */
@ApplicationScoped
public class TenantStore {
    static final String PK = "pk";
    static final String SK = "sk";
    static final String CONFIG_SK = "CONFIG";
    static final String STATUS = "status";
    static final String REQUESTS_PER_MINUTE = "requestsPerMinute";
    /** The quarantine source of config rows that cannot be used ({@link Quarantine}). */
    public static final String CONFIG_SOURCE = "tenant-config";

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final Quarantine quarantine;

    public TenantStore(DynamoDbClient dynamo, AwsResources resources, Quarantine quarantine) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.quarantine = quarantine;
    }

    public static String partitionKey(String tenantId) {
        return "TENANT#" + tenantId;
    }

    public Optional<TenantConfig> find(String tenantId) {
        if (!TenantIds.isValid(tenantId)) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.tenantsTable())
                .key(Map.of(PK, s(partitionKey(tenantId)), SK, s(CONFIG_SK)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(tenantId, item));
    }

    public TenantConfig get(String tenantId) {
        return find(tenantId).orElseThrow(() -> new TenantNotFoundException(tenantId, "config"));
    }

    /** Every tenant whose mirror is kept current from Ashby: ACTIVE and PAUSED (paused tenants are only read). */
    public List<TenantConfig> listMirrored() {
        return listAll().stream().filter(t -> t.status().mirrorsAshby()).toList();
    }

    /** Every registered tenant whose config row can be used, whatever its status (operators' views). */
    public List<TenantConfig> listAll() {
        return registry().tenants();
    }

    /** A config row that cannot be used: whose it is and why. */
    public record UnreadableConfig(String tenantId, String reason, Instant at) {}

    /**
     * @param tenants    every tenant whose config row can be used, by id
     * @param unreadable the rows that cannot (operators' views: a tenant left out of every pass must not be invisible)
     */
    public record Registry(List<TenantConfig> tenants, List<UnreadableConfig> unreadable) {}

    /**
     * Every config row, in one scan. A row that cannot be used is quarantined and left out of {@code tenants}, so one
     * bad row never stops the poller or the status page for every other tenant; the same scan reads the config rows'
     * quarantine entries, to release the entry of a row that was mended.
     */
    public Registry registry() {
        List<TenantConfig> tenants = new ArrayList<>();
        Map<String, String> unusable = new java.util.TreeMap<>();
        Map<String, Instant> quarantinedSince = new HashMap<>();
        dynamo.scanPaginator(r -> r.tableName(resources.tenantsTable()).filterExpression("sk IN (:config, :quarantined)")
                        .expressionAttributeValues(Map.of(":config", s(CONFIG_SK), ":quarantined", s(Quarantine.sortKey(CONFIG_SOURCE, CONFIG_SK)))))
                .items()
                .forEach(item -> {
                    String tenantId = item.get(PK).s().substring("TENANT#".length());
                    if (!item.get(SK).s().equals(CONFIG_SK)) {
                        quarantinedSince.put(tenantId, Instant.parse(item.get("at").s()));
                        return;
                    }
                    try {
                        tenants.add(fromItem(tenantId, item));
                    } catch (InvalidTenantConfigException invalid) {
                        unusable.put(tenantId, invalid.getMessage());
                    }
                });
        unusable.forEach((tenantId, reason) -> quarantine.record(tenantId, CONFIG_SOURCE, CONFIG_SK, reason));
        tenants.stream().filter(t -> quarantinedSince.containsKey(t.tenantId()))
                .forEach(mended -> quarantine.release(mended.tenantId(), CONFIG_SOURCE, CONFIG_SK));
        tenants.sort(java.util.Comparator.comparing(TenantConfig::tenantId));
        List<UnreadableConfig> unreadable = unusable.entrySet().stream().map(e -> new UnreadableConfig(e.getKey(), e.getValue(),
                quarantinedSince.getOrDefault(e.getKey(), Instant.now()))).toList();
        return new Registry(List.copyOf(tenants), unreadable);
    }

    /** Writes the whole row, replacing any other attribute it held: for registering a tenant, not for changing one. */
    public void save(TenantConfig config) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(partitionKey(config.tenantId())));
        item.put(SK, s(CONFIG_SK));
        item.put(STATUS, s(config.status().name()));
        item.put(REQUESTS_PER_MINUTE, AttributeValue.fromN(Integer.toString(config.requestsPerMinute())));
        dynamo.putItem(r -> r.tableName(resources.tenantsTable()).item(item));
    }

    /**
     * Sets the status of a registered tenant, leaving every other attribute of its config row as it is, and only
     * while the row exists (a tenant offboarded meanwhile is not brought back as a row with a status alone).
     *
     * @return the tenant's config after the change
     * @throws TenantNotFoundException when the tenant has no config row
     */
    public TenantConfig updateStatus(String tenantId, TenantStatus status) {
        if (!TenantIds.isValid(tenantId)) {
            throw new TenantNotFoundException(tenantId, "config");
        }
        try {
            Map<String, AttributeValue> item = dynamo.updateItem(r -> r.tableName(resources.tenantsTable())
                    .key(Map.of(PK, s(partitionKey(tenantId)), SK, s(CONFIG_SK)))
                    .updateExpression("SET #status = :status")
                    .conditionExpression("attribute_exists(#pk)")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#pk", PK))
                    .expressionAttributeValues(Map.of(":status", s(status.name())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
            return fromItem(tenantId, item);
        } catch (ConditionalCheckFailedException missing) {
            throw new TenantNotFoundException(tenantId, "config");
        }
    }

    /** Rows are input from outside this process: a bad one names the field instead of failing somewhere later. */
    static TenantConfig fromItem(String tenantId, Map<String, AttributeValue> item) {
        AttributeValue status = item.get(STATUS);
        if (status == null || status.s() == null) {
            throw new InvalidTenantConfigException(tenantId, STATUS, "is missing");
        }
        TenantStatus parsedStatus;
        try {
            parsedStatus = TenantStatus.valueOf(status.s());
        } catch (IllegalArgumentException e) {
            throw new InvalidTenantConfigException(tenantId, STATUS, "'" + status.s() + "' is not one of ACTIVE, PAUSED, DISABLED");
        }
        int perMinute = TenantConfig.DEFAULT_REQUESTS_PER_MINUTE;
        AttributeValue budget = item.get(REQUESTS_PER_MINUTE);
        if (budget != null) {
            try {
                perMinute = Integer.parseInt(budget.n());
            } catch (NumberFormatException e) {
                throw new InvalidTenantConfigException(tenantId, REQUESTS_PER_MINUTE, "is not a whole number");
            }
            if (perMinute < 1) {
                throw new InvalidTenantConfigException(tenantId, REQUESTS_PER_MINUTE, "must be at least 1");
            }
        }
        return new TenantConfig(tenantId, parsedStatus, perMinute);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
