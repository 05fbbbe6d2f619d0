package io.ashbysync.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import io.ashbysync.platform.Sha256;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
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
    /** DynamoDB's limit of actions in one transaction. */
    private static final int TRANSACTION_ACTIONS = 100;
    /** Under DynamoDB's 4 MB per transaction, with room for keys and attribute names. */
    private static final long TRANSACTION_BYTES = 3_000_000;
    /** Writes decided again over a fresh read before a page whose rows keep changing is given up (the caller retries). */
    private static final int WRITE_ATTEMPTS = 5;
    /** The row's revision: {@link Outbox#nextRevision}, on every ITEM row, carried by its events. */
    public static final String REVISION = "revision";
    /** The entity name of the events of a record type ({@link Page#eventEntity}). */
    static final String EVENT_ENTITY = "eventEntity";

    /**
     * Ashby's JSON kept as Ashby sent it, explicit nulls included (the application's mapper leaves nulls out, which
     * would make a stored record differ from Ashby's).
     */
    private static final ObjectMapper RAW_JSON = new ObjectMapper();

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final ObjectMapper mapper;
    private final Clock clock = Clock.systemUTC();

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
     * One page of one type to write.
     *
     * @param eventEntity the entity name of the type's own events ({@code job}, ...), kept on the row so the
     *                    {@link Outbox} can rebuild an unsent one; null for candidates and applications, whose changes
     *                    travel in candidate documents
     * @param seenPass    the full pass listing the page, stamped on every row either way (null: not a full pass), so
     *                    reconciliation can tell which mirrored ids Ashby no longer listed
     * @param readAt      when Ashby was asked: a tombstone written after it stands (the listing may predate the delete),
     *                    one written before it is contradicted by Ashby and lifted
     */
    public record Page(String entityType, String eventEntity, String seenPass, Instant readAt, List<Listed> records) {
        public Page {
            Objects.requireNonNull(readAt, "readAt");
        }
    }

    /** One listed record; {@code updatedAt} null for entities without one (versioned by content hash). */
    public record Listed(String entityId, Instant updatedAt, JsonNode data, Map<String, AttributeValue> extra) {}

    /**
     * What writing one record did, and the row's revision after it ({@link Outbox#nextRevision}: it only grows, one
     * step per change, tombstones included). {@code unsent}: the row holds a change Findem has not been told of, this
     * write's or (unchanged) one an earlier attempt wrote and did not get to send: the caller sends it now.
     */
    public record Written(Write write, long revision, boolean unsent) {
        public boolean changed() {
            return write.changed();
        }
    }

    /** {@link #upsertPage} for one record (a webhook's read of it). */
    public Written upsert(String tenantId, String entityType, String eventEntity, String entityId, Instant updatedAt, JsonNode data,
                          Map<String, AttributeValue> extra, Instant readAt) {
        return upsertPage(tenantId, new Page(entityType, eventEntity, null, readAt,
                List.of(new Listed(entityId, updatedAt, data, extra)))).getFirst();
    }

    /**
     * Writes each record of the page that is new, newer, or (same version) different; versioned by Ashby's
     * {@code updatedAt} where the entity has one (never older over newer), else by a content hash. A tombstone gives
     * way to a newer version, and to the same version read after it was written (see {@link Page#readAt}).
     *
     * <p>One consistent batch read of the page's rows, then one transaction per {@value #TRANSACTION_ACTIONS}
     * records, each write conditional on its row being still as read (a backfill writes every record of the tenant;
     * one write each made the mirror's write rate, not Ashby's budget, the pace). A transaction cancelled because a
     * row changed meanwhile (a webhook wrote; DynamoDB's own conflicts) has its records read and decided again.
     *
     * <p>Every change is written with its {@link Outbox} marker and a new revision, so the change and "Findem has yet
     * to hear of it" are durable together; the caller tells Findem and clears the marker ({@link Outbox}).
     *
     * @return what each record's write did, in the page's order
     */
    public List<Written> upsertPage(String tenantId, Page page) {
        for (int attempt = 1; ; attempt++) {
            PagePlan plan = planPage(tenantId, page);
            List<Integer> conflicted = applyPage(plan);
            if (conflicted.isEmpty()) return plan.outcomes();
            if (attempt == WRITE_ATTEMPTS) {
                throw new IllegalStateException("mirror rows of " + page.entityType() + " kept changing under " + WRITE_ATTEMPTS + " attempts");
            }
            // decide again, over a fresh read, only the records whose transaction was cancelled
            List<Written> outcomes = new ArrayList<>(plan.outcomes());
            List<Written> retried = upsertPage(tenantId, new Page(page.entityType(), page.eventEntity(), page.seenPass(), page.readAt(),
                    conflicted.stream().map(page.records()::get).toList()));
            for (int i = 0; i < conflicted.size(); i++) outcomes.set(conflicted.get(i), retried.get(i));
            return outcomes;
        }
    }

    /**
     * A page's records with the attributes each write sets (hash and JSON computed once), the row each had when read,
     * and what writing it will do; for {@link #applyPage}.
     */
    record PagePlan(String tenantId, Page page, List<Map<String, AttributeValue>> attributes,
                    List<Map<String, AttributeValue>> rowsAsRead, List<Written> outcomes) {}

    PagePlan planPage(String tenantId, Page page) {
        String entityType = page.entityType();
        List<Map<String, AttributeValue>> keys = page.records().stream().map(r -> key(tenantId, entityType, r.entityId(), ITEM)).distinct().toList();
        Map<String, Map<String, AttributeValue>> rows = new HashMap<>();
        DynamoBatch.getAll(dynamo, table(), keys, true, List.of("pk", "version", "hash", "deleted", "deletedAt", REVISION, Outbox.UNSENT_AT))
                .forEach(row -> rows.put(row.get("pk").s(), row));
        Instant now = clock.instant();
        List<Map<String, AttributeValue>> attributes = new ArrayList<>();
        List<Map<String, AttributeValue>> rowsAsRead = new ArrayList<>();
        List<Written> outcomes = new ArrayList<>();
        for (Listed record : page.records()) {
            Map<String, AttributeValue> row = rows.get(partitionKey(tenantId, entityType, record.entityId()));
            Long rowRevision = row != null && row.containsKey(REVISION) ? Long.valueOf(row.get(REVISION).n()) : null;
            long revision = Outbox.nextRevision(rowRevision, now);
            Map<String, AttributeValue> set = attributes(tenantId, page, record, revision, now);
            attributes.add(set);
            rowsAsRead.add(row);
            boolean write = supersedes(row, record.updatedAt() == null ? null : record.updatedAt().toEpochMilli(), set.get("hash").s(),
                    page.readAt());
            outcomes.add(write ? new Written(live(row) ? Write.UPDATED : Write.CREATED, revision, true)
                    : new Written(Write.UNCHANGED, rowRevision == null ? 0 : rowRevision, row != null && row.containsKey(Outbox.UNSENT_AT)));
        }
        return new PagePlan(tenantId, page, attributes, rowsAsRead, outcomes);
    }

    /** Writes the plan; returns the indexes of the records whose transaction was cancelled (rows changed since read). */
    List<Integer> applyPage(PagePlan plan) {
        List<Listed> records = plan.page().records();
        List<Integer> conflicted = new ArrayList<>();
        // a page repeating an id (not expected of Ashby) goes one record per transaction: one may not touch a row twice
        boolean distinct = records.stream().map(Listed::entityId).distinct().count() == records.size();
        List<Integer> chunk = new ArrayList<>();
        List<TransactWriteItem> actions = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < records.size(); i++) {
            Optional<TransactWriteItem> action = action(plan, i);
            long size = action.isPresent() ? plan.attributes().get(i).get("data").s().length() + 1024L : 0;
            if (!actions.isEmpty() && (!distinct || actions.size() == TRANSACTION_ACTIONS || bytes + size > TRANSACTION_BYTES)) {
                if (!commit(actions)) conflicted.addAll(chunk);
                chunk = new ArrayList<>();
                actions = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(i);
            action.ifPresent(actions::add);
            bytes += size;
        }
        if (!actions.isEmpty() && !commit(actions)) conflicted.addAll(chunk);
        return conflicted;
    }

    /** Writes one transaction; false when it was cancelled. */
    private boolean commit(List<TransactWriteItem> actions) {
        try {
            dynamo.transactWriteItems(r -> r.transactItems(actions));
            return true;
        } catch (TransactionCanceledException changedSinceRead) {
            return false;
        }
    }

    /** The transaction's action for record {@code i}: its write, pinned to its row as read; or the pass stamp alone. */
    private Optional<TransactWriteItem> action(PagePlan plan, int i) {
        Listed record = plan.page().records().get(i);
        String entityType = plan.page().entityType();
        String seenPass = plan.page().seenPass();
        Map<String, AttributeValue> row = plan.rowsAsRead().get(i);
        if (plan.outcomes().get(i).write() == Write.UNCHANGED) {
            if (seenPass == null) return Optional.empty();
            return Optional.of(TransactWriteItem.builder().update(u -> u.tableName(table())
                    .key(key(plan.tenantId(), entityType, record.entityId(), ITEM))
                    .updateExpression("SET seenPass = :p").conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":p", s(seenPass)))).build());
        }
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> pins = new ArrayList<>();
        if (row == null) {
            pins.add("attribute_not_exists(pk)");
        } else {
            for (String attribute : List.of("version", "hash", "deleted", REVISION)) {
                names.put("#" + attribute, attribute);
                if (row.containsKey(attribute)) {
                    values.put(":was_" + attribute, row.get(attribute));
                    pins.add("#" + attribute + " = :was_" + attribute);
                } else {
                    pins.add("attribute_not_exists(#" + attribute + ")");
                }
            }
        }
        String condition = String.join(" AND ", pins);
        Map<String, AttributeValue> set = plan.attributes().get(i);
        return Optional.of(seenPass != null
                ? TransactWriteItem.builder().put(put(plan.tenantId(), entityType, record.entityId(), set, condition, names, values)).build()
                : TransactWriteItem.builder().update(inPlace(plan.tenantId(), entityType, record.entityId(), set, condition, names, values)).build());
    }

    /**
     * Whether a record of this version ({@code null}: versioned by content) and hash, read from Ashby at
     * {@code readAt}, replaces the row as read ({@code null}: none).
     */
    private static boolean supersedes(Map<String, AttributeValue> row, Long version, String hash, Instant readAt) {
        if (row == null) return true;
        String rowHash = row.containsKey("hash") ? row.get("hash").s() : null;
        boolean deleted = row.containsKey("deleted") && Boolean.TRUE.equals(row.get("deleted").bool());
        if (version == null) return deleted ? contradicts(row, readAt) : rowHash != null && !rowHash.equals(hash);
        if (!row.containsKey("version")) return false;
        long rowVersion = Long.parseLong(row.get("version").n());
        if (rowVersion != version) return rowVersion < version;
        return deleted ? contradicts(row, readAt) : rowHash != null && !rowHash.equals(hash);
    }

    /**
     * Whether Ashby, read at {@code readAt}, contradicts the tombstone: it still had the record after the tombstone was
     * written. A read from before (a listing racing a delete webhook) does not bring the record back.
     */
    private static boolean contradicts(Map<String, AttributeValue> tombstone, Instant readAt) {
        return tombstone.containsKey("deletedAt") && readAt.toEpochMilli() > Long.parseLong(tombstone.get("deletedAt").n());
    }

    /** Whether a row as read (or as it was before a write) held a live record. */
    private static boolean live(Map<String, AttributeValue> row) {
        return row != null && row.containsKey("hash") && !Boolean.TRUE.equals(row.getOrDefault("deleted", AttributeValue.fromBool(false)).bool());
    }

    /** The attributes a write of this record sets on its ITEM row: the record, its revision, its {@link Outbox} marker. */
    private Map<String, AttributeValue> attributes(String tenantId, Page page, Listed record, long revision, Instant now) {
        Map<String, AttributeValue> set = new HashMap<>();
        set.put("tenantType", s(tenantType(tenantId, page.entityType())));
        set.put("tenantId", s(tenantId));
        set.put("entityType", s(page.entityType()));
        set.put("entityId", s(record.entityId()));
        set.put("hash", s(hash(record.data())));
        set.put("data", s(json(record.data())));
        set.put("deleted", AttributeValue.fromBool(false));
        set.put(REVISION, n(revision));
        if (page.seenPass() != null) set.put("seenPass", s(page.seenPass()));
        if (record.updatedAt() != null) set.put("version", n(record.updatedAt().toEpochMilli()));
        if (page.eventEntity() != null) set.put(EVENT_ENTITY, s(page.eventEntity()));
        set.putAll(Outbox.marker(tenantId, record.entityId(), now, page.eventEntity() != null));
        set.putAll(record.extra());
        return set;
    }

    /**
     * A full listing's write replaces the record whole: it carries the pass stamp, and nothing else lives on the row.
     * A put also costs DynamoDB less work than an update.
     */
    private Put put(String tenantId, String entityType, String entityId, Map<String, AttributeValue> set,
                    String condition, Map<String, String> names, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> item = new HashMap<>(set);
        item.putAll(key(tenantId, entityType, entityId, ITEM));
        return Put.builder().tableName(table()).item(item).conditionExpression(condition)
                .expressionAttributeNames(names.isEmpty() ? null : names).expressionAttributeValues(values.isEmpty() ? null : values).build();
    }

    /**
     * Any other write (an incremental page, a webhook) updates in place: the stamp of a full pass running meanwhile
     * survives, or that pass's reconciliation would take the record for deleted.
     */
    private Update inPlace(String tenantId, String entityType, String entityId, Map<String, AttributeValue> set,
                           String condition, Map<String, String> names, Map<String, AttributeValue> values) {
        Map<String, String> allNames = new HashMap<>(names);
        Map<String, AttributeValue> allValues = new HashMap<>(values);
        return Update.builder().tableName(table()).key(key(tenantId, entityType, entityId, ITEM))
                // a lifted tombstone loses its expiry; a row no longer an event itself leaves the sweep's index
                .updateExpression(setting(set, allNames, allValues) + " REMOVE expiresAt, deletedAt"
                        + (set.containsKey(Outbox.UNSENT_SHARD) ? "" : ", " + Outbox.UNSENT_SHARD))
                .conditionExpression(condition).expressionAttributeNames(allNames).expressionAttributeValues(allValues).build();
    }

    /** {@code SET #a = :a, ...} for every attribute of {@code set}, its names and values added to the expression's. */
    private static String setting(Map<String, AttributeValue> set, Map<String, String> names, Map<String, AttributeValue> values) {
        List<String> assignments = new ArrayList<>();
        set.forEach((name, value) -> {
            names.put("#" + name, name);
            values.put(":" + name, value);
            assignments.add("#" + name + " = :" + name);
        });
        return "SET " + String.join(", ", assignments);
    }

    /** Stamps a row as listed in a full pass without touching its data (a listed record that could not be applied). */
    public void markSeen(String tenantId, String entityType, String entityId, String seenPass) {
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
        return applicationsWithHistory(tenantId, applicationIds, DynamoBatch.getAll(dynamo, table(), applicationKeys(tenantId, applicationIds), true));
    }

    /** The keys {@link #applicationsWithHistory} reads, for a caller that reads them in a batch of its own. */
    public List<Map<String, AttributeValue>> applicationKeys(String tenantId, List<String> applicationIds) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        applicationIds.stream().distinct().forEach(id -> {
            keys.add(key(tenantId, CandidateDocuments.APPLICATION, id, ITEM));
            keys.add(key(tenantId, CandidateDocuments.APPLICATION, id, HISTORY));
        });
        return keys;
    }

    /** {@link #applicationsWithHistory} from the rows found under {@link #applicationKeys}. */
    public Map<String, ApplicationRows> applicationsWithHistory(String tenantId, List<String> applicationIds,
                                                                List<Map<String, AttributeValue>> found) {
        Map<String, MirrorRow> items = new HashMap<>();
        Map<String, MirrorRow> histories = new HashMap<>();
        String prefix = partitionKey(tenantId, CandidateDocuments.APPLICATION, "");
        for (Map<String, AttributeValue> row : found) {
            String id = row.get("pk").s().substring(prefix.length());
            MirrorRow mirrored = row(CandidateDocuments.APPLICATION, id, row);
            (mirrored.childKey().equals(ITEM) ? items : histories).put(id, mirrored);
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
        DynamoBatch.writeAll(dynamo, table(), writes.stream().map(w -> {
            Map<String, AttributeValue> item = childItem(tenantId, w);
            return item == null
                    ? WriteRequest.builder().deleteRequest(d -> d.key(key(tenantId, w.entityType(), w.entityId(), w.childKey()))).build()
                    : WriteRequest.builder().putRequest(p -> p.item(item)).build();
        }).toList());
    }

    /** {@link #writeChildren}'s writes as transaction actions, to go with other writes in one transaction. */
    public List<TransactWriteItem> childWriteActions(String tenantId, List<ChildWrite> writes) {
        return writes.stream().map(w -> {
            Map<String, AttributeValue> item = childItem(tenantId, w);
            return item == null
                    ? TransactWriteItem.builder().delete(d -> d.tableName(table()).key(key(tenantId, w.entityType(), w.entityId(), w.childKey()))).build()
                    : TransactWriteItem.builder().put(p -> p.tableName(table()).item(item)).build();
        }).toList();
    }

    /** The row a child write puts; null for a delete. */
    private Map<String, AttributeValue> childItem(String tenantId, ChildWrite write) {
        if (write.data() == null) return null;
        Map<String, AttributeValue> item = new HashMap<>(key(tenantId, write.entityType(), write.entityId(), write.childKey()));
        item.put("hash", s(hash(write.data())));
        item.put("data", s(json(write.data())));
        return item;
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

    /**
     * Marks a record deleted in Ashby (the row expires at {@code expiresAt}, DynamoDB TTL) with a new revision, pinned
     * to the row as read. {@code unsent}: the tombstone is itself the event (an application's), so it carries the
     * {@link Outbox} marker; a candidate's removal is told through its search manifest instead.
     *
     * @return the tombstone's revision; empty when there is no live row to remove
     */
    public OptionalLong tombstone(String tenantId, String entityType, String entityId, Instant expiresAt, boolean unsent) {
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> row = dynamo.getItem(r -> r.tableName(table()).key(key(tenantId, entityType, entityId, ITEM))
                    .consistentRead(true).projectionExpression("pk, deleted, " + REVISION)).item();
            if (row == null || row.isEmpty() || Boolean.TRUE.equals(row.getOrDefault("deleted", AttributeValue.fromBool(false)).bool())) {
                return OptionalLong.empty();
            }
            Instant now = clock.instant();
            Long rowRevision = row.containsKey(REVISION) ? Long.valueOf(row.get(REVISION).n()) : null;
            long revision = Outbox.nextRevision(rowRevision, now);
            Map<String, AttributeValue> set = new HashMap<>(Map.of("deleted", AttributeValue.fromBool(true), "expiresAt", n(expiresAt.getEpochSecond()),
                    "deletedAt", n(now.toEpochMilli()), REVISION, n(revision)));
            if (unsent) set.putAll(Outbox.marker(tenantId, entityId, now, true));
            Map<String, String> names = new HashMap<>(Map.of("#was", REVISION));
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":false", AttributeValue.fromBool(false)));
            String assignments = setting(set, names, values);
            String pin;
            if (rowRevision == null) {
                pin = "attribute_not_exists(#was)";
            } else {
                pin = "#was = :was";
                values.put(":was", row.get(REVISION));
            }
            try {
                dynamo.updateItem(r -> r.tableName(table()).key(key(tenantId, entityType, entityId, ITEM))
                        .updateExpression(assignments)
                        .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(#deleted) OR #deleted = :false) AND " + pin)
                        .expressionAttributeNames(names).expressionAttributeValues(values));
                return OptionalLong.of(revision);
            } catch (ConditionalCheckFailedException changed) {
                // written meanwhile: read again and decide again
            }
        }
        throw new IllegalStateException("mirror row " + entityType + " " + entityId + " kept changing under " + WRITE_ATTEMPTS + " attempts");
    }

    public String hash(JsonNode data) {
        return HexFormat.of().formatHex(Sha256.digest(json(data)), 0, 16);
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
                item.containsKey("seenPass") ? item.get("seenPass").s() : null,
                item.containsKey(REVISION) ? Long.parseLong(item.get(REVISION).n()) : 0, item.containsKey(Outbox.UNSENT_AT));
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
