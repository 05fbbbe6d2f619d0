package io.ashbysync.outbound;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One event for Findem on the events queue. The schema is versioned ({@link #SCHEMA_VERSION}); every event names the
 * entity it is about and that entity's version (Ashby's {@code updatedAt}, or a content hash where Ashby has none),
 * so a consumer can apply events idempotently and drop an older version that arrives after a newer one.
 *
 * <p>An event whose {@code data} would make the message pass SQS's 256 KiB carries {@code data: null} and a
 * {@code dataRef} instead ({@link ClaimCheck.Ref}): the same JSON, stored in S3. {@code dataRef} is absent otherwise.
 *
 * @param type       e.g. {@code command.result}, {@code candidate.upserted}
 * @param entityType e.g. {@code command}, {@code candidate}, {@code job}
 */
public record OutboundEvent(int schemaVersion, String eventId, String type, String tenantId, Instant occurredAt,
                            String entityType, String entityId, String entityVersion, JsonNode data,
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
        return new OutboundEvent(SCHEMA_VERSION, eventId != null ? eventId : UUID.randomUUID().toString(), type, tenantId,
                Instant.now(), entityType, entityId, entityVersion, Objects.requireNonNull(data, "data"), null);
    }

    /** The same event with its data stored elsewhere. */
    OutboundEvent withDataAt(ClaimCheck.Ref ref) {
        return new OutboundEvent(schemaVersion, eventId, type, tenantId, occurredAt, entityType, entityId, entityVersion, null, ref);
    }
}
