package io.ashbysync.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The mirror of Ashby in the mirror table. Keys:
 * <ul>
 *   <li>{@code pk=TENANT#<tenantId>#<TYPE>#<ashbyId>, sk=ITEM}: the record; {@code tenantType=TENANT#<tenantId>#<TYPE>}
 *       puts it in the {@code ByTenantType} index (every record of one type of one tenant).</li>
 *   <li>children under the same pk: {@code sk=HISTORY} (an application's stage history), {@code NOTE#<noteId>} and
 *       {@code FILE#<fileId>} (a candidate's notes and stored files), {@code SEARCH} (the search index's manifest of
 *       the candidate, read with the candidate's other rows).</li>
 * </ul>
 * Writes are conditional on the version: Ashby's {@code updatedAt} where the entity has one (never older over newer),
 * else a content hash (nothing written when unchanged). A write that changes nothing reports {@code false}, so the
 * caller emits nothing.
 */
@ApplicationScoped
public class MirrorStore {
    public static final String ITEM = "ITEM";
    public static final String HISTORY = "HISTORY";
    public static final String NOTE = "NOTE#";
    public static final String FILE = "FILE#";
    public static final String SEARCH_MANIFEST = "SEARCH";
    public static final String BY_TENANT_TYPE = "ByTenantType";

    /**
     * Ashby's JSON kept as Ashby sent it, explicit nulls included (the application's mapper leaves nulls out, which
     * would make a stored record differ from Ashby's).
     */
    private static final ObjectMapper RAW_JSON = new ObjectMapper();

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final ObjectMapper mapper;

    /** What an upsert did. */
    public enum Write {
        CREATED, UPDATED, UNCHANGED;

        public boolean changed() {
            return this != UNCHANGED;
        }
    }

    public MirrorStore(DynamoDbClient dynamo, AwsResources resources, ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.mapper = mapper;
    }

    public static String partitionKey(String tenantId, String entityType, String entityId) {
        return tenantType(tenantId, entityType) + "#" + entityId;
    }

    public static String tenantType(String tenantId, String entityType) {
        return "TENANT#" + tenantId + "#" + entityType;
    }

    /**
     * Writes a record if it is new, newer, or (same version) different; stamps {@code seenPass} either way when one
     * is given, so a full listing can tell which mirrored ids Ashby no longer has.
     *
     * @param updatedAt null for entities without one (versioned by content hash)
     * @return what the write did
     */
    public Write upsert(String tenantId, String entityType, String entityId, Instant updatedAt, JsonNode data,
                          String seenPass, Map<String, AttributeValue> extra) {
        String hash = hash(data);
        Map<String, AttributeValue> set = new HashMap<>();
        set.put("tenantType", s(tenantType(tenantId, entityType)));
        set.put("tenantId", s(tenantId));
        set.put("entityType", s(entityType));
        set.put("entityId", s(entityId));
        set.put("hash", s(hash));
        set.put("data", s(json(data)));
        set.put("deleted", AttributeValue.fromBool(false));
        if (seenPass != null) set.put("seenPass", s(seenPass));
        if (updatedAt != null) set.put("version", n(updatedAt.toEpochMilli()));
        set.putAll(extra);
        // A tombstone gives way only to a newer version: a listing read before the delete and written after it
        // (the poller racing a candidateDelete webhook) must not bring the record back.
        String condition = updatedAt != null
                ? "attribute_not_exists(pk) OR #version < :version OR (#version = :version AND #hash <> :hash AND #deleted <> :true)"
                : "attribute_not_exists(pk) OR #hash <> :hash";
        Map<String, String> names = new HashMap<>(Map.of("#hash", "hash"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":hash", set.get("hash")));
        if (updatedAt != null) {
            names.putAll(Map.of("#version", "version", "#deleted", "deleted"));
            values.putAll(Map.of(":version", set.get("version"), ":true", AttributeValue.fromBool(true)));
        }
        try {
            Map<String, AttributeValue> old = seenPass != null
                    ? replace(tenantId, entityType, entityId, set, condition, names, values)
                    : update(tenantId, entityType, entityId, set, condition, names, values);
            boolean existed = old != null && old.containsKey("hash") && !Boolean.TRUE.equals(old.getOrDefault("deleted", AttributeValue.fromBool(false)).bool());
            return existed ? Write.UPDATED : Write.CREATED;
        } catch (ConditionalCheckFailedException unchanged) {
            if (seenPass != null) markSeen(tenantId, entityType, entityId, seenPass);
            return Write.UNCHANGED;
        }
    }

    /**
     * A full listing's write replaces the record whole: it carries the pass stamp, and nothing else lives on the row.
     * A put also costs DynamoDB less work than an update.
     */
    private Map<String, AttributeValue> replace(String tenantId, String entityType, String entityId, Map<String, AttributeValue> set,
                                                String condition, Map<String, String> names, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> item = new HashMap<>(set);
        item.putAll(key(tenantId, entityType, entityId, ITEM));
        return dynamo.putItem(r -> r.tableName(table()).item(item).conditionExpression(condition)
                .expressionAttributeNames(names).expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_OLD)).attributes();
    }

    /**
     * Any other write (an incremental page, a webhook) updates in place: the stamp of a full pass running meanwhile
     * survives, or that pass's reconciliation would take the record for deleted.
     */
    private Map<String, AttributeValue> update(String tenantId, String entityType, String entityId, Map<String, AttributeValue> set,
                                               String condition, Map<String, String> names, Map<String, AttributeValue> values) {
        Map<String, String> allNames = new HashMap<>(names);
        Map<String, AttributeValue> allValues = new HashMap<>(values);
        List<String> assignments = new ArrayList<>();
        set.forEach((name, value) -> {
            allNames.put("#" + name, name);
            allValues.put(":" + name, value);
            assignments.add("#" + name + " = :" + name);
        });
        return dynamo.updateItem(r -> r.tableName(table()).key(key(tenantId, entityType, entityId, ITEM))
                .updateExpression("SET " + String.join(", ", assignments) + " REMOVE expiresAt")
                .conditionExpression(condition)
                .expressionAttributeNames(allNames).expressionAttributeValues(allValues)
                .returnValues(ReturnValue.UPDATED_OLD)).attributes();
    }

    private void markSeen(String tenantId, String entityType, String entityId, String seenPass) {
        try {
            dynamo.updateItem(r -> r.tableName(table()).key(key(tenantId, entityType, entityId, ITEM))
                    .updateExpression("SET seenPass = :p").conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":p", s(seenPass))));
        } catch (ConditionalCheckFailedException gone) {
            // deleted meanwhile: nothing to mark
        }
    }

    /** Children of one record whose sort key starts with {@code prefix} ({@link #NOTE}, {@link #FILE}). */
    public List<MirrorRow> children(String tenantId, String entityType, String entityId, String prefix) {
        List<MirrorRow> rows = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(table()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", s(partitionKey(tenantId, entityType, entityId)), ":prefix", s(prefix))))
                .items().forEach(item -> rows.add(row(entityType, entityId, item)));
        return rows;
    }

    public Optional<MirrorRow> get(String tenantId, String entityType, String entityId, String sortKey) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table())
                .key(key(tenantId, entityType, entityId, sortKey)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(row(entityType, entityId, item));
    }

    /** Several records of one type by id (ITEM rows), in no particular order; missing ids are left out. */
    public List<MirrorRow> getAll(String tenantId, String entityType, List<String> entityIds) {
        List<Map<String, AttributeValue>> keys = entityIds.stream().distinct().map(id -> key(tenantId, entityType, id, ITEM)).toList();
        return DynamoBatch.getAll(dynamo, table(), keys, true).stream().map(item -> row(entityType, item.get("entityId").s(), item)).toList();
    }

    /**
     * A candidate's ITEM row with its notes and files (children by child key) and its search index manifest as stored
     * (with the hash of the last document sent; empty when it has none), read in one query.
     */
    public record CandidateRows(MirrorRow item, Map<String, MirrorRow> notes, Map<String, MirrorRow> files,
                                Map<String, AttributeValue> searchManifest) {}

    public Optional<CandidateRows> candidateRows(String tenantId, String candidateId) {
        MirrorRow item = null;
        Map<String, MirrorRow> notes = new LinkedHashMap<>();
        Map<String, MirrorRow> files = new LinkedHashMap<>();
        Map<String, AttributeValue> searchManifest = Map.of();
        for (Map<String, AttributeValue> found : dynamo.queryPaginator(r -> r.tableName(table()).consistentRead(true)
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s(partitionKey(tenantId, CandidateDocuments.CANDIDATE, candidateId))))).items()) {
            if (found.get("sk").s().equals(SEARCH_MANIFEST)) {
                searchManifest = found;
                continue;
            }
            MirrorRow row = row(CandidateDocuments.CANDIDATE, candidateId, found);
            if (row.childKey().equals(ITEM)) item = row;
            else if (row.childKey().startsWith(NOTE)) notes.put(row.childKey(), row);
            else if (row.childKey().startsWith(FILE)) files.put(row.childKey(), row);
        }
        return item == null ? Optional.empty() : Optional.of(new CandidateRows(item, notes, files, searchManifest));
    }

    /** An application's ITEM row and its HISTORY row (null when not mirrored yet). */
    public record ApplicationRows(MirrorRow item, MirrorRow history) {}

    /** Applications with their stage histories, read in one batch; ids not mirrored are left out. */
    public Map<String, ApplicationRows> applicationsWithHistory(String tenantId, List<String> applicationIds) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        applicationIds.stream().distinct().forEach(id -> {
            keys.add(key(tenantId, CandidateDocuments.APPLICATION, id, ITEM));
            keys.add(key(tenantId, CandidateDocuments.APPLICATION, id, HISTORY));
        });
        Map<String, MirrorRow> items = new HashMap<>();
        Map<String, MirrorRow> histories = new HashMap<>();
        String prefix = partitionKey(tenantId, CandidateDocuments.APPLICATION, "");
        for (Map<String, AttributeValue> found : DynamoBatch.getAll(dynamo, table(), keys, true)) {
            String id = found.get("pk").s().substring(prefix.length());
            MirrorRow row = row(CandidateDocuments.APPLICATION, id, found);
            (row.childKey().equals(ITEM) ? items : histories).put(id, row);
        }
        Map<String, ApplicationRows> result = new LinkedHashMap<>();
        applicationIds.stream().distinct().filter(items::containsKey)
                .forEach(id -> result.put(id, new ApplicationRows(items.get(id), histories.get(id))));
        return result;
    }

    /** A child row to write (data) or delete (data null). */
    public record ChildWrite(String entityType, String entityId, String childKey, JsonNode data) {}

    /**
     * Writes and deletes child rows in batches. Unconditional: the caller compared content hashes with what it read,
     * and children are Ashby's current content, so a concurrent writer writes the same thing.
     */
    public void writeChildren(String tenantId, List<ChildWrite> writes) {
        List<WriteRequest> requests = writes.stream().map(w -> {
            if (w.data() == null) {
                return WriteRequest.builder().deleteRequest(d -> d.key(key(tenantId, w.entityType(), w.entityId(), w.childKey()))).build();
            }
            Map<String, AttributeValue> item = new HashMap<>(key(tenantId, w.entityType(), w.entityId(), w.childKey()));
            item.put("hash", s(hash(w.data())));
            item.put("data", s(json(w.data())));
            return WriteRequest.builder().putRequest(p -> p.item(item)).build();
        }).toList();
        DynamoBatch.writeAll(dynamo, table(), requests);
    }

    /** What reconciliation needs of one record: whether it is live and which full pass last saw it. */
    public record Presence(String entityId, boolean deleted, String seenPass, String candidateId) {}

    /**
     * The {@link Presence} of every record of one type of one tenant, tombstones included, page by page through the
     * ByTenantType index and without the records' data: memory stays flat however many records the tenant has.
     */
    public void forEachPresence(String tenantId, String entityType, Consumer<Presence> consumer) {
        dynamo.queryPaginator(r -> r.tableName(table()).indexName(BY_TENANT_TYPE)
                        .keyConditionExpression("tenantType = :tt")
                        .projectionExpression("#id, #deleted, #seen, #candidate")
                        .expressionAttributeNames(Map.of("#id", "entityId", "#deleted", "deleted", "#seen", "seenPass",
                                "#candidate", "candidateId"))
                        .expressionAttributeValues(Map.of(":tt", s(tenantType(tenantId, entityType)))))
                .items().forEach(item -> consumer.accept(new Presence(item.get("entityId").s(),
                        item.containsKey("deleted") && Boolean.TRUE.equals(item.get("deleted").bool()),
                        item.containsKey("seenPass") ? item.get("seenPass").s() : null,
                        item.containsKey("candidateId") ? item.get("candidateId").s() : null)));
    }

    /** Every record of one type of one tenant, tombstones included (through the ByTenantType index). */
    public List<MirrorRow> all(String tenantId, String entityType) {
        List<MirrorRow> rows = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(table()).indexName(BY_TENANT_TYPE)
                        .keyConditionExpression("tenantType = :tt")
                        .expressionAttributeValues(Map.of(":tt", s(tenantType(tenantId, entityType)))))
                .items().forEach(item -> rows.add(row(entityType, item.get("entityId").s(), item)));
        return rows;
    }

    /** Marks a record deleted in Ashby; the row expires after {@code retention} (DynamoDB TTL). */
    public boolean tombstone(String tenantId, String entityType, String entityId, Instant expiresAt) {
        try {
            dynamo.updateItem(r -> r.tableName(table()).key(key(tenantId, entityType, entityId, ITEM))
                    .updateExpression("SET deleted = :true, expiresAt = :exp")
                    .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(deleted) OR deleted = :false)")
                    .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true),
                            ":false", AttributeValue.fromBool(false), ":exp", n(expiresAt.getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException already) {
            return false;
        }
    }

    public String hash(JsonNode data) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json(data).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }

    private MirrorRow row(String entityType, String entityId, Map<String, AttributeValue> item) {
        JsonNode data;
        try {
            data = item.containsKey("data") ? mapper.readTree(item.get("data").s()) : null;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("mirror row " + item.get("pk").s() + "/" + item.get("sk").s() + " holds invalid JSON", e);
        }
        return new MirrorRow(entityType, entityId, item.get("sk").s(),
                item.containsKey("version") ? Long.valueOf(item.get("version").n()) : null,
                item.containsKey("hash") ? item.get("hash").s() : null, data,
                item.containsKey("deleted") && Boolean.TRUE.equals(item.get("deleted").bool()),
                item.containsKey("seenPass") ? item.get("seenPass").s() : null);
    }

    private String json(JsonNode data) {
        try {
            return RAW_JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("mirror data cannot be serialised", e);
        }
    }

    private String table() {
        return resources.mirrorTable();
    }

    private static Map<String, AttributeValue> key(String tenantId, String entityType, String entityId, String sortKey) {
        return Map.of("pk", s(partitionKey(tenantId, entityType, entityId)), "sk", s(sortKey));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
