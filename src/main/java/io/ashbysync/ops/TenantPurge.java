package io.ashbysync.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.mirror.CandidateDocuments;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import io.ashbysync.poll.PollerConfig;
import io.ashbysync.poll.TenantSync;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * Deletes everything the product stored for a tenant, found from the keys the tenant owns rather than from a list of
 * what is written where:
 * <ul>
 *   <li>S3: every version and delete marker under {@code tenants/<id>/} (stored files) and {@code claims/<id>/}
 *       (claim-checked results and documents).</li>
 *   <li>Mirror table: every pk beginning with {@code TENANT#<id>#}. First by key, through the {@code ByTenantType}
 *       index: each mirrored record's partition (the record, its notes, files, history and search manifest) with the
 *       search postings its manifest lists; then a sweep, because no index reaches the rest: search lists
 *       ({@code TENANT#<id>#SEARCH#...}: their COUNT rows, postings no manifest lists) and children left under a
 *       record whose tombstone expired.</li>
 *   <li>Identity table: the partition {@code TENANT#<id>}.</li>
 *   <li>Idempotency table: every pk beginning with {@code <id>#}; it has no index, so a sweep.</li>
 *   <li>Tenants table: the partition {@code TENANT#<id>} (cursors, status, leases, budget, webhook ids, ...), the
 *       config row last, so the tenant stays findable and the purge resumable until then.</li>
 * </ul>
 * A sweep is a Scan filtered on the pk prefix, page by page; where it got to is kept in the tenant's partition
 * ({@code sk=PURGE#<table>}), so a call that runs out of time leaves off there and the next call goes on from it. Every
 * step is idempotent and the steps run within a time budget, so a tenant of any size is purged by calling again until
 * {@link Purged#complete()}.
 */
@ApplicationScoped
public class TenantPurge {
    private static final Logger LOG = Logger.getLogger(TenantPurge.class);
    /** Where a sweep got to, in the tenant's partition of the tenants table; deleted with the config row. */
    static final String SWEEP_SK_PREFIX = "PURGE#";
    static final String CONFIG_SK = "CONFIG";
    /** The S3 prefixes a tenant's objects live under, each followed by {@code <tenantId>/}. */
    static final List<String> S3_PREFIXES = List.of("tenants/", "claims/");

    /** @param deleted what was deleted, by kind (files, mirrorRows, identityRows, idempotencyRecords, tenantRows) */
    public record Purged(Map<String, Long> deleted, boolean complete) {}

    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final AwsResources resources;
    private final PollerConfig poller;
    private final ObjectMapper mapper;
    private final Clock clock = Clock.systemUTC();

    public TenantPurge(DynamoDbClient dynamo, S3Client s3, AwsResources resources, PollerConfig poller, ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.s3 = s3;
        this.resources = resources;
        this.poller = poller;
        this.mapper = mapper;
    }

    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super(null, null, false, false);
        }
    }

    /** Everything of the tenant, within {@code deadline}; call again until complete. */
    public Purged purge(String tenantId, Instant deadline) {
        return purge(tenantId, deadline, true);
    }

    /**
     * What a tenant that never became active can hold: its partitions of the tenants and identity tables and its
     * files. No sweep of the shared tables: nothing writes to the mirror or the idempotency table for a tenant that is
     * DISABLED (poller, webhook processing and commands pass it by), and a sweep reads the whole table, which a
     * refused key at onboarding must not cost.
     */
    public Purged purgeNeverActive(String tenantId, Instant deadline) {
        return purge(tenantId, deadline, false);
    }

    private Purged purge(String tenantId, Instant deadline, boolean sweep) {
        Map<String, Long> deleted = new LinkedHashMap<>();
        for (String kind : List.of("files", "mirrorRows", "identityRows", "idempotencyRecords", "tenantRows")) deleted.put(kind, 0L);
        try {
            files(tenantId, deadline, deleted);
            mirrorByKey(tenantId, deadline, deleted);
            if (sweep) sweep(tenantId, "mirror", resources.mirrorTable(), mirrorPrefix(tenantId), deadline, deleted, "mirrorRows");
            deletePartition(resources.identityTable(), TenantStore.partitionKey(tenantId), deadline, deleted, "identityRows");
            if (sweep) sweep(tenantId, "idempotency", resources.idempotencyTable(), tenantId + "#", deadline, deleted, "idempotencyRecords");
            tenantRows(tenantId, deadline, deleted);
            return new Purged(deleted, true);
        } catch (OutOfTime stopped) {
            return new Purged(deleted, false);
        }
    }

    /** Every mirror pk of the tenant begins with this ({@code TENANT#<id>#<TYPE>#<id>}, {@code TENANT#<id>#SEARCH#...}). */
    static String mirrorPrefix(String tenantId) {
        return TenantStore.partitionKey(tenantId) + "#";
    }

    /** Every record type the sync mirrors (candidates, applications and the types sent as record events). */
    static Set<String> mirroredTypes() {
        Set<String> types = new LinkedHashSet<>(List.of(CandidateDocuments.CANDIDATE, CandidateDocuments.APPLICATION));
        types.addAll(new TreeSet<>(TenantSync.RECORD_EVENT_ENTITIES.keySet()));
        return types;
    }

    // ---- S3 -------------------------------------------------------------------------------------------------------

    private void files(String tenantId, Instant deadline, Map<String, Long> deleted) {
        String bucket = poller.filesBucket();
        for (String prefix : S3_PREFIXES) {
            // Versions and delete markers both: a plain delete of a versioned object only hides it.
            for (var page : s3.listObjectVersionsPaginator(r -> r.bucket(bucket).prefix(prefix + tenantId + "/"))) {
                List<ObjectIdentifier> ids = new ArrayList<>();
                page.versions().forEach(v -> ids.add(ObjectIdentifier.builder().key(v.key()).versionId(v.versionId()).build()));
                page.deleteMarkers().forEach(m -> ids.add(ObjectIdentifier.builder().key(m.key()).versionId(m.versionId()).build()));
                if (!ids.isEmpty()) {
                    DeleteObjectsResponse response = s3.deleteObjects(r -> r.bucket(bucket).delete(d -> d.objects(ids).quiet(true)));
                    if (response.hasErrors() && !response.errors().isEmpty()) {
                        var first = response.errors().getFirst();
                        throw new IllegalStateException(response.errors().size() + " objects under " + prefix + tenantId
                                + "/ could not be deleted, e.g. " + first.key() + ": " + first.code() + " " + first.message());
                    }
                    deleted.merge("files", (long) page.versions().size(), Long::sum);
                    // only after a step: a call always gets somewhere, however little time it is given
                    checkTime(deadline);
                }
            }
        }
    }

    // ---- mirror table, by key ---------------------------------------------------------------------------------------

    /**
     * Each mirrored record's partition, found through ByTenantType (ITEM rows only), with the search postings its
     * candidate manifest lists: the bulk of the tenant, and all its personal data but what the sweep finds.
     */
    private void mirrorByKey(String tenantId, Instant deadline, Map<String, Long> deleted) {
        for (String type : mirroredTypes()) {
            for (var page : dynamo.queryPaginator(r -> r.tableName(resources.mirrorTable()).indexName(MirrorStore.BY_TENANT_TYPE)
                    .keyConditionExpression("tenantType = :tt").projectionExpression("pk")
                    .expressionAttributeValues(Map.of(":tt", s(MirrorStore.tenantType(tenantId, type)))))) {
                for (Map<String, AttributeValue> record : page.items()) {
                    deleteMirrorPartition(tenantId, record.get("pk").s(), deadline, deleted);
                }
            }
        }
    }

    /**
     * The partition's rows, the postings its manifest lists first and its ITEM row last (it is what the index finds),
     * as one step: stopped half way, the next call would find the same manifest and delete the same postings again.
     */
    private void deleteMirrorPartition(String tenantId, String pk, Instant deadline, Map<String, Long> deleted) {
        List<Map<String, AttributeValue>> postings = new ArrayList<>();
        List<Map<String, AttributeValue>> children = new ArrayList<>();
        List<Map<String, AttributeValue>> item = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(resources.mirrorTable()).consistentRead(true).keyConditionExpression("pk = :pk")
                        .projectionExpression("pk, sk, postings").expressionAttributeValues(Map.of(":pk", s(pk))))
                .items().forEach(row -> {
                    String sk = row.get("sk").s();
                    if (sk.equals(MirrorStore.SEARCH_MANIFEST)) postings.addAll(listedPostings(tenantId, pk, row.get("postings")));
                    (sk.equals(MirrorStore.ITEM) ? item : children).add(key(pk, sk));
                });
        deleteKeys(resources.mirrorTable(), postings, null, deleted, "mirrorRows");
        deleteKeys(resources.mirrorTable(), children, null, deleted, "mirrorRows");
        deleteKeys(resources.mirrorTable(), item, null, deleted, "mirrorRows");
        checkTime(deadline);
    }

    /**
     * The postings a search manifest lists ({@code postings}: a JSON array of {@code "<pk>\n<sk>"}, see
     * {@code SearchIndex}), only the tenant's own. Anything unreadable is left to the sweep.
     */
    private List<Map<String, AttributeValue>> listedPostings(String tenantId, String pk, AttributeValue postings) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        if (postings == null || postings.s() == null) return keys;
        try {
            for (JsonNode posting : mapper.readTree(postings.s())) {
                String[] parts = posting.asText().split("\n", 2);
                if (parts.length == 2 && parts[0].startsWith(mirrorPrefix(tenantId))) keys.add(key(parts[0], parts[1]));
            }
        } catch (JsonProcessingException unreadable) {
            LOG.warnf("search manifest %s is not readable JSON; the sweep removes its postings", pk);
        }
        return keys;
    }

    // ---- sweeps -----------------------------------------------------------------------------------------------------

    /**
     * Every row of {@code table} whose pk begins with {@code prefix}: a Scan filtered on it (no index serves), page by
     * page, each page's rows deleted before the position after it is saved, so a call out of time goes on from there.
     */
    private void sweep(String tenantId, String name, String table, String prefix, Instant deadline, Map<String, Long> deleted,
                       String kind) {
        Map<String, AttributeValue> progress = tenantsRow(tenantId, SWEEP_SK_PREFIX + name);
        if (progress.containsKey("done")) return;
        Map<String, AttributeValue> start = progress.containsKey("startKey") ? progress.get("startKey").m() : null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(r -> r.tableName(table).exclusiveStartKey(from)
                    .filterExpression("begins_with(pk, :prefix)").projectionExpression("pk, sk")
                    .expressionAttributeValues(Map.of(":prefix", s(prefix))));
            deleteKeys(table, page.items(), deadline, deleted, kind);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            saveSweep(tenantId, name, start);
            checkTime(deadline);
        } while (start != null);
    }

    private void saveSweep(String tenantId, String name, Map<String, AttributeValue> next) {
        Map<String, AttributeValue> row = new HashMap<>(key(TenantStore.partitionKey(tenantId), SWEEP_SK_PREFIX + name));
        if (next == null) row.put("done", AttributeValue.fromBool(true));
        else row.put("startKey", AttributeValue.fromM(next));
        dynamo.putItem(r -> r.tableName(resources.tenantsTable()).item(row));
    }

    private Map<String, AttributeValue> tenantsRow(String tenantId, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.tenantsTable()).consistentRead(true)
                .key(key(TenantStore.partitionKey(tenantId), sk))).item();
        return item == null ? Map.of() : item;
    }

    // ---- partitions ---------------------------------------------------------------------------------------------------

    /**
     * The tenants-table partition: every row but the config row and the sweeps' positions, then those in one
     * transaction, so until it commits the tenant can be found and its purge goes on where it was.
     */
    private void tenantRows(String tenantId, Instant deadline, Map<String, Long> deleted) {
        List<Map<String, AttributeValue>> last = new ArrayList<>();
        List<Map<String, AttributeValue>> rows = new ArrayList<>();
        String pk = TenantStore.partitionKey(tenantId);
        partitionKeys(resources.tenantsTable(), pk).forEach(key -> {
            String sk = key.get("sk").s();
            (sk.equals(CONFIG_SK) || sk.startsWith(SWEEP_SK_PREFIX) ? last : rows).add(key);
        });
        deleteKeys(resources.tenantsTable(), rows, deadline, deleted, "tenantRows");
        if (last.isEmpty()) return;
        dynamo.transactWriteItems(r -> r.transactItems(last.stream().map(key -> TransactWriteItem.builder()
                .delete(d -> d.tableName(resources.tenantsTable()).key(key)).build()).toList()));
        deleted.merge("tenantRows", (long) last.size(), Long::sum);
    }

    private void deletePartition(String table, String pk, Instant deadline, Map<String, Long> deleted, String kind) {
        deleteKeys(table, partitionKeys(table, pk), deadline, deleted, kind);
    }

    private List<Map<String, AttributeValue>> partitionKeys(String table, String pk) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk")
                        .projectionExpression("pk, sk").expressionAttributeValues(Map.of(":pk", s(pk))))
                .items().forEach(keys::add);
        return keys;
    }

    /** Deletes in batches, checking the time after each unless {@code deadline} is null. */
    private void deleteKeys(String table, List<Map<String, AttributeValue>> keys, Instant deadline, Map<String, Long> deleted, String kind) {
        for (int from = 0; from < keys.size(); from += DynamoBatch.WRITES_PER_REQUEST) {
            List<Map<String, AttributeValue>> batch = keys.subList(from, Math.min(from + DynamoBatch.WRITES_PER_REQUEST, keys.size()));
            DynamoBatch.writeAll(dynamo, table, batch.stream()
                    .map(key -> WriteRequest.builder().deleteRequest(d -> d.key(key)).build()).toList());
            deleted.merge(kind, (long) batch.size(), Long::sum);
            if (deadline != null) checkTime(deadline);
        }
    }

    private void checkTime(Instant deadline) {
        if (clock.instant().isAfter(deadline)) throw new OutOfTime();
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
