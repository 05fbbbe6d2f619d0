package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One mirrored record as stored: its Ashby data (raw JSON as Ashby sent it), its version (Ashby's {@code updatedAt}
 * in epoch millis, null where the entity has none) and a content hash.
 */
public record MirrorRow(String entityType, String entityId, String childKey, Long version, String hash, JsonNode data,
                        boolean deleted, String seenPass) {}
