package io.ashbysync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Findem's side of the events queue, applying mirror events by the rule the README gives consumers: per entity, an
 * event is applied only if its revision is above the one held; a removal is held as a tombstone with its revision; a
 * re-sent event (same {@code eventId}) changes nothing. What it holds at the end is what Findem shows, whatever order
 * the events came in.
 */
public final class FindemConsumer {
    private static final Set<String> REMOVALS = Set.of("candidate.deleted", "candidate.merged", "application.deleted");

    /** What Findem holds of one entity: the event last applied. */
    public record Held(long revision, JsonNode event) {
        public boolean removed() {
            return REMOVALS.contains(event.path("type").asText());
        }
    }

    private final Map<String, Held> held = new HashMap<>();
    private final Set<String> seenEventIds = new HashSet<>();

    public FindemConsumer apply(Collection<JsonNode> events) {
        events.forEach(this::apply);
        return this;
    }

    /** Applies one event; mirror events without a revision break the contract and fail the test. */
    public void apply(JsonNode event) {
        if (!seenEventIds.add(event.path("eventId").asText())) return;
        if (event.path("entityType").asText().equals("command")) return;
        if (!event.path("revision").canConvertToLong()) throw new AssertionError("a mirror event without a revision: " + event);
        long revision = event.path("revision").asLong();
        held.merge(key(event.path("entityType").asText(), event.path("entityId").asText()), new Held(revision, event),
                (was, now) -> now.revision() > was.revision() ? now : was);
    }

    /** The entity as Findem shows it: empty when never heard of or removed. */
    public Optional<JsonNode> live(String entityType, String entityId) {
        Held entity = held.get(key(entityType, entityId));
        return entity == null || entity.removed() ? Optional.empty() : Optional.of(entity.event());
    }

    public Optional<Held> held(String entityType, String entityId) {
        return Optional.ofNullable(held.get(key(entityType, entityId)));
    }

    /** The ids of the entities of one type Findem shows as live. */
    public List<String> liveIds(String entityType) {
        return held.entrySet().stream().filter(e -> e.getKey().startsWith(entityType + "/") && !e.getValue().removed())
                .map(e -> e.getKey().substring(entityType.length() + 1)).sorted().toList();
    }

    private static String key(String entityType, String entityId) {
        return entityType + "/" + entityId;
    }
}
