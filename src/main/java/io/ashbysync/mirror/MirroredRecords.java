package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Ashby records other than candidates and applications (jobs, postings, stages, reference lists) as the poller and
 * the webhooks both write them: one mirror row, and a {@code <entity>.upserted} event when the row changes, sent
 * before the row is written ({@link MirrorStore#upsertPage(String, String, List, String, java.util.function.Consumer)}).
 */
@ApplicationScoped
public class MirroredRecords {
    private final MirrorStore mirror;
    private final EventPublisher events;

    public MirroredRecords(MirrorStore mirror, EventPublisher events) {
        this.mirror = mirror;
        this.events = events;
    }

    /**
     * Mirrors the record (versioned by its {@code updatedAt} when it has one, else by content); when that changes
     * the mirror, Findem is told first. A failed send leaves the row as it was, so a retry sends again.
     *
     * @param entityType mirror type, e.g. {@code JOB}
     * @param eventEntity event prefix, e.g. {@code job}
     * @return whether the mirror changed (false: it already held this or a newer version)
     * @throws RecordFields.MalformedRecordException its id or {@code updatedAt} cannot be used (the caller quarantines it)
     */
    public boolean upsert(String tenantId, String entityType, String eventEntity, JsonNode record) {
        String id = RecordFields.id(record);
        Instant updatedAt = RecordFields.updatedAt(record);
        return mirror.upsertPage(tenantId, entityType, List.of(new MirrorStore.Listed(id, updatedAt, record, Map.of())), null,
                changing -> events.publish(upserted(tenantId, eventEntity, id, updatedAt, record))).getFirst().changed();
    }

    /** The {@code <entity>.upserted} event for a record just written; its id is stable per content. */
    public OutboundEvent upserted(String tenantId, String entity, String id, Instant updatedAt, JsonNode record) {
        return upserted(tenantId, entity, id, updatedAt, record, "");
    }

    /**
     * The same event for a mirrored record sent again by an operator's replay, with an event id of its own
     * ({@code replayId}) so Findem does not drop it as a re-send.
     */
    public OutboundEvent replayed(String tenantId, String entity, MirrorRow row, String replayId) {
        JsonNode record = row.data();
        Instant updatedAt = RecordFields.updatedAt(record);
        return upserted(tenantId, entity, row.entityId(), updatedAt, record, ":replay-" + replayId);
    }

    private OutboundEvent upserted(String tenantId, String entity, String id, Instant updatedAt, JsonNode record, String eventIdSuffix) {
        String version = updatedAt != null ? updatedAt.toString() : mirror.hash(record);
        return OutboundEvent.of(tenantId + ":" + entity + ":" + id + ":" + mirror.hash(record) + eventIdSuffix, entity + ".upserted",
                tenantId, entity, id, version, record);
    }
}
