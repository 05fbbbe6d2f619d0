package io.ashbysync.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.search.SearchIndex;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The one place where a mirror change becomes an event for Findem. A change and the fact that Findem has yet to hear
 * of it are made durable together: the writer puts a marker ({@value #UNSENT_AT}) on the very row it changes, in the
 * same write, with the row's new revision ({@link #nextRevision}). Then the writer sends the event, built from what
 * it wrote, and clears the marker (pinned to that revision, so a newer change's marker stays). A writer that dies in
 * between leaves the marker; its retry finds the row unchanged but unsent and sends it then, and the poller
 * {@linkplain #sweep sweeps} the tenant's markers older than a grace period, whichever comes first.
 *
 * <p>Rows that are events themselves carry {@value #UNSENT_SHARD} too, which puts them in the sparse {@value #INDEX}
 * index the sweep reads: records of the reference types and jobs ({@code <entity>.upserted}), application tombstones
 * ({@code application.deleted}) and candidates' search manifests (the last document sent, {@code candidate.upserted},
 * or the removal, {@code candidate.deleted} / {@code candidate.merged}). Candidate and application rows are carried to
 * Findem by the candidate's details work ({@link CandidateDetailsWork}), which clears their markers once the
 * document holding them is sent; their markers are not indexed (a first pass writes every application long before its
 * candidate: the sweep would find them all), the poller's retry of the page re-queues their work instead.
 *
 * <p>Every event carries the entity's revision: a consumer applies an event only if its revision is newer than the
 * one it holds, so a late event never overwrites a newer one and a tombstone is not undone by an older upsert.
 */
@ApplicationScoped
public class Outbox {
    private static final Logger LOG = Logger.getLogger(Outbox.class);
    public static final String INDEX = "Unsent";
    public static final String UNSENT_AT = "unsentAt";
    public static final String UNSENT_SHARD = "unsentShard";
    /** The index's partitions per tenant: a backfill's marker writes spread over them instead of one hot key. */
    static final int SHARDS = 16;
    /** Rows a sweep carries at most, so one invocation's sweep stays short; the rest wait for the next. */
    static final int SWEEP_LIMIT = 500;
    private static final int TRANSACTION_ACTIONS = 100;

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final EventPublisher events;
    private final MirrorStore mirror;
    private final CandidateDocuments documents;
    private final ObjectMapper mapper;

    public Outbox(DynamoDbClient dynamo, AwsResources resources, EventPublisher events, MirrorStore mirror, CandidateDocuments documents,
                  ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.events = events;
        this.mirror = mirror;
        this.documents = documents;
        this.mapper = mapper;
    }

    /**
     * The revision a change writes over a row of revision {@code previous} (null: no row): greater than every earlier
     * one, and at least the writer's clock in epoch millis, so a record deleted, expired from the table and listed again
     * still gets a revision above the tombstone its consumer kept.
     */
    public static long nextRevision(Long previous, Instant now) {
        return Math.max(previous == null ? 1 : previous + 1, now.toEpochMilli());
    }

    /** The marker a changing write sets; {@code swept}: the row is an event itself and goes in the {@value #INDEX} index. */
    public static Map<String, AttributeValue> marker(String tenantId, String entityId, Instant at, boolean swept) {
        AttributeValue when = AttributeValue.fromN(Long.toString(at.toEpochMilli()));
        if (!swept) return Map.of(UNSENT_AT, when);
        return Map.of(UNSENT_AT, when, UNSENT_SHARD, AttributeValue.fromS(tenantId + "#" + Math.floorMod(entityId.hashCode(), SHARDS)));
    }

    // ---- telling Findem -------------------------------------------------------------------------------------------

    /** The events of a page's records that hold unsent changes, sent; then their markers cleared. */
    public void recordsWritten(String tenantId, MirrorStore.Page page, List<MirrorStore.Written> written) {
        List<OutboundEvent> toSend = new ArrayList<>();
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            if (!written.get(i).unsent()) continue;
            MirrorStore.Listed record = page.records().get(i);
            toSend.add(recordEvent(tenantId, page.eventEntity(), record.entityId(), record.data(), written.get(i).revision(), ""));
            sent.add(new Sent(MirrorStore.partitionKey(tenantId, page.entityType(), record.entityId()), MirrorStore.ITEM,
                    MirrorStore.REVISION, written.get(i).revision()));
        }
        if (toSend.isEmpty()) return;
        events.publish(toSend);
        clear(sent);
    }

    /** A candidate's document, just indexed under {@code revision}, sent; then the manifest's marker cleared. */
    public void documentIndexed(String tenantId, String candidateId, ObjectNode document, long revision) {
        events.publish(documentEvent(tenantId, candidateId, document, revision, ""));
        clear(List.of(manifest(tenantId, candidateId, revision)));
    }

    /** The candidate's {@code candidate.deleted} (or {@code candidate.merged} into {@code survivorId}) sent; then cleared. */
    public void candidateRemoved(String tenantId, String candidateId, String survivorId, long revision) {
        ObjectNode data = mapper.createObjectNode().put("candidateId", candidateId);
        if (survivorId != null) data.put("mergedIntoCandidateId", survivorId);
        events.publish(OutboundEvent.of(tenantId + ":candidate:" + candidateId + ":gone:r" + revision,
                survivorId != null ? CandidateRemovals.MERGED : CandidateRemovals.DELETED, tenantId, "candidate", candidateId, null,
                revision, data));
        clear(List.of(manifest(tenantId, candidateId, revision)));
    }

    /** An application's {@code application.deleted}, from its tombstone of {@code revision}, sent; then cleared. */
    public void applicationRemoved(String tenantId, String applicationId, String candidateId, long revision) {
        ObjectNode data = mapper.createObjectNode().put("applicationId", applicationId).put("candidateId", candidateId);
        events.publish(OutboundEvent.of(tenantId + ":application:" + applicationId + ":gone:r" + revision, "application.deleted",
                tenantId, "application", applicationId, null, revision, data));
        clear(List.of(new Sent(MirrorStore.partitionKey(tenantId, CandidateDocuments.APPLICATION, applicationId), MirrorStore.ITEM,
                MirrorStore.REVISION, revision)));
    }

    /** Candidate and application rows whose changes a document just carried: their markers cleared. */
    public void carried(String tenantId, List<MirrorRow> rows) {
        clear(rows.stream().filter(MirrorRow::unsent)
                .map(row -> new Sent(MirrorStore.partitionKey(tenantId, row.entityType(), row.entityId()), MirrorStore.ITEM,
                        MirrorStore.REVISION, row.revision())).toList());
    }

    /** A mirrored record's event, as first sent or (with {@code eventIdSuffix}) replayed. */
    public OutboundEvent recordEvent(String tenantId, String entity, String entityId, JsonNode record, long revision, String eventIdSuffix) {
        Instant updatedAt = RecordFields.updatedAt(record);
        String version = updatedAt != null ? updatedAt.toString() : mirror.hash(record);
        return OutboundEvent.of(tenantId + ":" + entity + ":" + entityId + ":r" + revision + eventIdSuffix, entity + ".upserted",
                tenantId, entity, entityId, version, revision, record);
    }

    /** A candidate's document event; its id is the document's hash, so the same document sent twice is one event. */
    public OutboundEvent documentEvent(String tenantId, String candidateId, ObjectNode document, long revision, String eventIdSuffix) {
        return OutboundEvent.of(tenantId + ":candidate:" + candidateId + ":" + document.get("documentHash").asText() + eventIdSuffix,
                CandidateDocuments.UPSERTED, tenantId, "candidate", candidateId,
                CandidateDocuments.latestUpdate(document).map(Instant::toString).orElse(null), revision, document);
    }

    // ---- the sweep -----------------------------------------------------------------------------------------------

    /**
     * Sends the tenant's events whose writers died before sending them: rows marked before {@code before}, read
     * through the {@value #INDEX} index (which lags the table: each row is read again, consistently, and left alone if
     * it was sent meanwhile), at most {@value #SWEEP_LIMIT} per call.
     *
     * @return how many it sent
     */
    public int sweep(String tenantId, Instant before) {
        int sent = 0;
        for (int shard = 0; shard < SHARDS && sent < SWEEP_LIMIT; shard++) {
            String key = tenantId + "#" + shard;
            for (Map<String, AttributeValue> indexed : dynamo.queryPaginator(r -> r.tableName(resources.mirrorTable()).indexName(INDEX)
                    .keyConditionExpression("#shard = :shard AND #at < :before")
                    .expressionAttributeNames(Map.of("#shard", UNSENT_SHARD, "#at", UNSENT_AT))
                    .expressionAttributeValues(Map.of(":shard", AttributeValue.fromS(key),
                            ":before", AttributeValue.fromN(Long.toString(before.toEpochMilli()))))).items()) {
                if (sent >= SWEEP_LIMIT) break;
                if (resend(tenantId, indexed.get("pk").s(), indexed.get("sk").s())) sent++;
            }
        }
        if (sent > 0) LOG.infof("tenant %s: %d unsent changes found and sent", tenantId, sent);
        return sent;
    }

    private boolean resend(String tenantId, String pk, String sk) {
        Map<String, AttributeValue> row = dynamo.getItem(r -> r.tableName(resources.mirrorTable()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk)))).item();
        if (row == null || !row.containsKey(UNSENT_AT)) return false;
        String candidatePrefix = MirrorStore.tenantType(tenantId, CandidateDocuments.CANDIDATE) + "#";
        if (sk.equals(MirrorStore.SEARCH_MANIFEST)) {
            String candidateId = pk.substring(candidatePrefix.length());
            long revision = Long.parseLong(row.get("version").n());
            if (row.containsKey(SearchIndex.REMOVED)) {
                candidateRemoved(tenantId, candidateId, row.containsKey(SearchIndex.MERGED_INTO) ? row.get(SearchIndex.MERGED_INTO).s() : null,
                        revision);
            } else {
                documents.resend(tenantId, candidateId, SearchIndex.indexedDocumentHash(row), revision);
            }
            return true;
        }
        String entityType = row.get("entityType").s();
        String entityId = row.get("entityId").s();
        long revision = Long.parseLong(row.get(MirrorStore.REVISION).n());
        if (entityType.equals(CandidateDocuments.APPLICATION)) {
            // a live application is carried by its candidate's document, not by the sweep
            if (!Boolean.TRUE.equals(row.get("deleted").bool())) return false;
            applicationRemoved(tenantId, entityId, row.get("candidateId").s(), revision);
            return true;
        }
        JsonNode data;
        try {
            data = mapper.readTree(row.get("data").s());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("mirror row " + pk + " holds invalid JSON", e);
        }
        events.publish(recordEvent(tenantId, row.get(MirrorStore.EVENT_ENTITY).s(), entityId, data, revision, ""));
        clear(List.of(new Sent(pk, sk, MirrorStore.REVISION, revision)));
        return true;
    }

    // ---- markers -------------------------------------------------------------------------------------------------

    /** A row whose event was sent: its key, and the revision (under {@code revisionAttribute}) the event carried. */
    private record Sent(String pk, String sk, String revisionAttribute, long revision) {}

    private static Sent manifest(String tenantId, String candidateId, long revision) {
        return new Sent(MirrorStore.partitionKey(tenantId, CandidateDocuments.CANDIDATE, candidateId), MirrorStore.SEARCH_MANIFEST, "version",
                revision);
    }

    /**
     * Clears the markers of rows still at the revision sent (a newer change keeps its own), in transactions of
     * DynamoDB's size; a transaction cancelled because one row moved on is done row by row.
     */
    private void clear(List<Sent> rows) {
        for (int from = 0; from < rows.size(); from += TRANSACTION_ACTIONS) {
            List<Sent> chunk = rows.subList(from, Math.min(from + TRANSACTION_ACTIONS, rows.size()));
            if (chunk.size() == 1) {
                clearOne(chunk.getFirst());
                continue;
            }
            try {
                dynamo.transactWriteItems(r -> r.transactItems(chunk.stream()
                        .map(row -> TransactWriteItem.builder().update(u -> u.tableName(resources.mirrorTable()).key(key(row))
                                .updateExpression("REMOVE #at, #shard").conditionExpression("#rev = :rev")
                                .expressionAttributeNames(names(row)).expressionAttributeValues(revision(row))).build()).toList()));
            } catch (TransactionCanceledException someMovedOn) {
                chunk.forEach(this::clearOne);
            }
        }
    }

    private void clearOne(Sent row) {
        try {
            dynamo.updateItem(u -> u.tableName(resources.mirrorTable()).key(key(row)).updateExpression("REMOVE #at, #shard")
                    .conditionExpression("#rev = :rev").expressionAttributeNames(names(row)).expressionAttributeValues(revision(row)));
        } catch (ConditionalCheckFailedException movedOn) {
            // a newer change was written since: its marker stays for its own event
        }
    }

    private static Map<String, AttributeValue> key(Sent row) {
        return Map.of("pk", AttributeValue.fromS(row.pk()), "sk", AttributeValue.fromS(row.sk()));
    }

    private static Map<String, String> names(Sent row) {
        return Map.of("#at", UNSENT_AT, "#shard", UNSENT_SHARD, "#rev", row.revisionAttribute());
    }

    private static Map<String, AttributeValue> revision(Sent row) {
        return Map.of(":rev", AttributeValue.fromN(Long.toString(row.revision())));
    }
}
