package io.ashbysync.ops;

import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import io.ashbysync.poll.PollerConfig;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * Deletes everything the product stored for a tenant: stored files (every version: the bucket is versioned), mirror
 * rows, identity rows, idempotency records, and last the tenants-table partition (cursors, status, leases, budget,
 * webhook ids, config). Each step is idempotent and the steps run within a time budget, so a large tenant is purged
 * by calling again until {@link Purged#complete()}; the config row goes last, so the tenant stays findable until then.
 */
@ApplicationScoped
public class TenantPurge {
    /** Every entity type the mirror holds (ITEM rows, found through the ByTenantType index; children share their pk). */
    static final List<String> MIRROR_TYPES = List.of("CANDIDATE", "APPLICATION", "JOB", "JOB_POSTING", "USER", "DEPARTMENT",
            "TAG", "CUSTOM_FIELD", "INTERVIEW_PLAN", "INTERVIEW_STAGE", "ARCHIVE_REASON", "SOURCE", "COMMUNICATION_TEMPLATE");

    /** @param deleted what was deleted, by kind (files, mirrorRows, identityRows, idempotencyRecords, tenantRows) */
    public record Purged(Map<String, Long> deleted, boolean complete) {}

    private final DynamoDbClient dynamo;
    private final S3Client s3;
    private final AwsResources resources;
    private final MirrorStore mirror;
    private final PollerConfig poller;
    private final Clock clock = Clock.systemUTC();

    public TenantPurge(DynamoDbClient dynamo, S3Client s3, AwsResources resources, MirrorStore mirror, PollerConfig poller) {
        this.dynamo = dynamo;
        this.s3 = s3;
        this.resources = resources;
        this.mirror = mirror;
        this.poller = poller;
    }

    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super(null, null, false, false);
        }
    }

    public Purged purge(String tenantId, Instant deadline) {
        Map<String, Long> deleted = new LinkedHashMap<>();
        try {
            deleted.put("files", files(tenantId, deadline));
            deleted.put("mirrorRows", mirrorRows(tenantId, deadline));
            deleted.put("identityRows", deletePartition(resources.identityTable(), TenantStore.partitionKey(tenantId), deadline, k -> {}));
            deleted.put("idempotencyRecords", idempotency(tenantId, deadline));
            deleted.put("tenantRows", tenantRows(tenantId, deadline));
            return new Purged(deleted, true);
        } catch (OutOfTime stopped) {
            return new Purged(deleted, false);
        }
    }

    private long files(String tenantId, Instant deadline) {
        String bucket = poller.filesBucket();
        long count = 0;
        // Versions and delete markers both: a plain delete of a versioned object only hides it.
        for (var page : s3.listObjectVersionsPaginator(r -> r.bucket(bucket).prefix("tenants/" + tenantId + "/"))) {
            List<ObjectIdentifier> ids = new ArrayList<>();
            page.versions().forEach(v -> ids.add(ObjectIdentifier.builder().key(v.key()).versionId(v.versionId()).build()));
            page.deleteMarkers().forEach(m -> ids.add(ObjectIdentifier.builder().key(m.key()).versionId(m.versionId()).build()));
            if (!ids.isEmpty()) {
                s3.deleteObjects(r -> r.bucket(bucket).delete(d -> d.objects(ids).quiet(true)));
                count += page.versions().size();
            }
            checkTime(deadline);
        }
        return count;
    }

    private long mirrorRows(String tenantId, Instant deadline) {
        long[] count = {0};
        for (String type : MIRROR_TYPES) {
            mirror.forEachPresence(tenantId, type, row -> count[0] +=
                    deletePartition(resources.mirrorTable(), MirrorStore.partitionKey(tenantId, type, row.entityId()), deadline, k -> {}));
        }
        return count[0];
    }

    /** Idempotency keys are {@code <tenantId>#<id>} with no index by tenant: a filtered scan (records live 7 days). */
    private long idempotency(String tenantId, Instant deadline) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        dynamo.scanPaginator(r -> r.tableName(resources.idempotencyTable()).filterExpression("begins_with(pk, :prefix)")
                        .projectionExpression("pk, sk").expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(tenantId + "#"))))
                .items().forEach(keys::add);
        deleteKeys(resources.idempotencyTable(), keys, deadline);
        return keys.size();
    }

    /** The config row last: until it is gone, the tenant can be found and the purge resumed. */
    private long tenantRows(String tenantId, Instant deadline) {
        List<Map<String, AttributeValue>> config = new ArrayList<>();
        long count = deletePartition(resources.tenantsTable(), TenantStore.partitionKey(tenantId), deadline, config::add);
        deleteKeys(resources.tenantsTable(), config, deadline);
        return count + config.size();
    }

    /** Deletes every row under {@code pk}; rows with {@code sk=CONFIG} are handed to {@code keptBack} instead. */
    private long deletePartition(String table, String pk, Instant deadline, Consumer<Map<String, AttributeValue>> keptBack) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk")
                        .projectionExpression("pk, sk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk))))
                .items().forEach(key -> {
                    if (key.get("sk").s().equals("CONFIG")) keptBack.accept(key);
                    else keys.add(key);
                });
        deleteKeys(table, keys, deadline);
        return keys.size();
    }

    private void deleteKeys(String table, List<Map<String, AttributeValue>> keys, Instant deadline) {
        for (int from = 0; from < keys.size(); from += DynamoBatch.WRITES_PER_REQUEST) {
            DynamoBatch.writeAll(dynamo, table, keys.subList(from, Math.min(from + DynamoBatch.WRITES_PER_REQUEST, keys.size())).stream()
                    .map(key -> WriteRequest.builder().deleteRequest(d -> d.key(key)).build()).toList());
            checkTime(deadline);
        }
    }

    private void checkTime(Instant deadline) {
        if (clock.instant().isAfter(deadline)) throw new OutOfTime();
    }
}
