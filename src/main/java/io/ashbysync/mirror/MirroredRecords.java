package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.outbound.OutboundEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Ashby records other than candidates and applications (jobs, postings, stages, reference lists) as the poller and
 * the webhooks both write them: one mirror row, and a {@code <entity>.upserted} event when the row changed.
 */
@ApplicationScoped
public class MirroredRecords {
    private final MirrorStore mirror;

    public MirroredRecords(MirrorStore mirror) {
        this.mirror = mirror;
    }

    /**
     * Writes the record (versioned by its {@code updatedAt} when it has one, else by content) and returns the event
     * to send when the mirror changed; empty when the mirror already held this or a newer version.
     *
     * @param entityType mirror type, e.g. {@code JOB}
     * @param eventEntity event prefix, e.g. {@code job}
     */
    public Optional<OutboundEvent> upsert(String tenantId, String entityType, String eventEntity, JsonNode record) {
        String id = record.path("id").asText();
        Instant updatedAt = RecordFields.updatedAt(record);
        MirrorStore.Write write = mirror.upsert(tenantId, entityType, id, updatedAt, record, null, Map.of());
        return write.changed() ? Optional.of(upserted(tenantId, eventEntity, id, updatedAt, record)) : Optional.empty();
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
