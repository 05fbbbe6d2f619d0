package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.outbound.OutboundEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Ashby records other than candidates and applications (jobs, postings, stages, reference lists) as the poller and
 * the webhooks both write them: one mirror row each, and a {@code <entity>.upserted} event when the row changes, told
 * through the {@link Outbox}.
 */
@ApplicationScoped
public class MirroredRecords {
    private final MirrorStore mirror;
    private final Outbox outbox;

    public MirroredRecords(MirrorStore mirror, Outbox outbox) {
        this.mirror = mirror;
        this.outbox = outbox;
    }

    /**
     * Mirrors a page of one type's records (versioned by their {@code updatedAt} when they have one, else by content)
     * and tells Findem of those that changed.
     *
     * @return what each write did, in the page's order
     */
    public List<MirrorStore.Written> upsertPage(String tenantId, MirrorStore.Page page) {
        List<MirrorStore.Written> written = mirror.upsertPage(tenantId, page);
        outbox.recordsWritten(tenantId, page, written);
        return written;
    }

    /**
     * One record as a webhook or a snapshot list brings it, read from Ashby at {@code readAt}.
     *
     * @param entityType mirror type, e.g. {@code JOB}
     * @param eventEntity event prefix, e.g. {@code job}
     * @return whether the mirror changed (false: it already held this or a newer version)
     * @throws RecordFields.MalformedRecordException its id or {@code updatedAt} cannot be used (the caller quarantines it)
     */
    public boolean upsert(String tenantId, String entityType, String eventEntity, JsonNode record, Instant readAt) {
        MirrorStore.Listed listed = new MirrorStore.Listed(RecordFields.id(record), RecordFields.updatedAt(record), record, Map.of());
        return upsertPage(tenantId, new MirrorStore.Page(entityType, eventEntity, null, readAt, List.of(listed))).getFirst().changed();
    }

    /**
     * The event of a mirrored record sent again by an operator's replay, under its current revision, with an event id
     * of its own ({@code replayId}) so Findem does not drop it as a re-send.
     */
    public OutboundEvent replayed(String tenantId, String entity, MirrorRow row, String replayId) {
        return outbox.recordEvent(tenantId, entity, row.entityId(), row.data(), row.revision(), ":replay-" + replayId);
    }
}
