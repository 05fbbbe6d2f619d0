package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One mirrored record as stored: its Ashby data (raw JSON as Ashby sent it), its version (Ashby's {@code updatedAt}
 * in epoch millis, null where the entity has none) and a content hash; on ITEM rows also its {@code revision}
 * ({@link Outbox#nextRevision}; 0 on rows written before there were revisions) and whether it holds a change Findem has
 * not been told of ({@code unsent}, {@link Outbox}).
 */
public record MirrorRow(String entityType, String entityId, String childKey, Long version, String hash, JsonNode data,
                        boolean deleted, String seenPass, long revision, boolean unsent) {}
