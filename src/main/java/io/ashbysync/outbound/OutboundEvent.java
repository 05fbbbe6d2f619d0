package io.ashbysync.outbound;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One event for Findem on the events queue. The schema is versioned ({@link #SCHEMA_VERSION}); every event names the
 * entity it is about, that entity's version in Ashby's terms ({@code entityVersion}: Ashby's {@code updatedAt}, or a
 * content hash where Ashby has none; null for removals) and, for mirrored entities, its {@code revision}: a number that
 * only grows per entity, removals included ({@link io.ashbysync.mirror.Outbox}). A consumer applies an event only when
 * its revision is above the one it holds, so events that arrive out of order (a standard queue, redeliveries) never
 * take it back. Command events ({@code entityType: command}) carry no revision.
 *
 * <p>An event whose {@code data} would make the message pass SQS's 256 KiB carries {@code data: null} and a
 * {@code dataRef} instead ({@link ClaimCheck.Ref}): the same JSON, stored in S3. {@code dataRef} is absent otherwise.
 *
 * @param type       e.g. {@code command.result}, {@code candidate.upserted}
 * @param entityType e.g. {@code command}, {@code candidate}, {@code job}
 */
public record OutboundEvent(int schemaVersion, String eventId, String type, String tenantId, Instant occurredAt,
                            String entityType, String entityId, String entityVersion,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Long revision, JsonNode data,
                            @JsonInclude(JsonInclude.Include.NON_NULL) ClaimCheck.Ref dataRef) {
    public static final int SCHEMA_VERSION = 1;

    public OutboundEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(entityType, "entityType");
        Objects.requireNonNull(entityId, "entityId");
        if ((data == null) == (dataRef == null)) throw new IllegalArgumentException("an event carries either data or dataRef");
    }

    /**
     * @param eventId stable for the same logical event, so a consumer can drop re-sends (at-least-once delivery)
     */
    public static OutboundEvent of(String eventId, String type, String tenantId, String entityType, String entityId,
                                   String entityVersion, JsonNode data) {
        return of(eventId, type, tenantId, entityType, entityId, entityVersion, null, data);
    }

    /** @param revision the entity's revision (mirrored entities), null for command events */
    public static OutboundEvent of(String eventId, String type, String tenantId, String entityType, String entityId,
                                   String entityVersion, Long revision, JsonNode data) {
        return new OutboundEvent(SCHEMA_VERSION, eventId != null ? eventId : UUID.randomUUID().toString(), type, tenantId,
                Instant.now(), entityType, entityId, entityVersion, revision, Objects.requireNonNull(data, "data"), null);
    }

    /** The same event with its data stored elsewhere. */
    OutboundEvent withDataAt(ClaimCheck.Ref ref) {
        return new OutboundEvent(schemaVersion, eventId, type, tenantId, occurredAt, entityType, entityId, entityVersion, revision, null, ref);
    }
}
