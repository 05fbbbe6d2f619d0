package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Scripted faults per endpoint (consumed in order, one per request), standing faults for one item (every request
 * about it, until cleared), plus optional random faults.
 */
public final class FaultPlan {
    private record Item(String endpoint, String field, String value) {}

    private final Map<String, Queue<Fault>> scripted = new ConcurrentHashMap<>();
    private final Map<Item, Fault> standing = new ConcurrentHashMap<>();
    private volatile double randomRate;
    private volatile List<Fault> randomChoices = List.of();

    /** Queues a fault for the next request to {@code endpoint} (e.g. "candidate.create"). */
    public FaultPlan next(String endpoint, Fault fault) {
        scripted.computeIfAbsent(endpoint, e -> new ConcurrentLinkedQueue<>()).add(fault);
        return this;
    }

    /**
     * Every request to {@code endpoint} whose body has {@code field} equal to {@code value} gets {@code fault}, until
     * {@link #clear()}ed or {@link #heal}ed: one item Ashby always answers badly, e.g. a file whose {@code file.info}
     * ({@code fileHandle}) answers malformed or refuses, while the others are fine. Takes precedence over scripted faults.
     */
    public FaultPlan always(String endpoint, String field, String value, Fault fault) {
        standing.put(new Item(endpoint, field, value), fault);
        return this;
    }

    /** Ends the standing fault of that item: its requests are answered normally again. */
    public FaultPlan heal(String endpoint, String field, String value) {
        standing.remove(new Item(endpoint, field, value));
        return this;
    }

    /** Every request (any endpoint) fails with probability {@code rate}, with a fault picked from {@code choices}. */
    public FaultPlan random(double rate, Fault... choices) {
        this.randomChoices = List.of(choices);
        this.randomRate = rate;
        return this;
    }

    public void clear() {
        scripted.clear();
        standing.clear();
        randomRate = 0;
    }

    public int pending(String endpoint) {
        Queue<Fault> q = scripted.get(endpoint);
        return q == null ? 0 : q.size();
    }

    /** The fault for this request, if any: a standing one for the item its body names first. */
    Fault take(String endpoint, String body) {
        if (!standing.isEmpty()) {
            JsonNode request = null;
            for (Map.Entry<Item, Fault> entry : standing.entrySet()) {
                Item item = entry.getKey();
                if (!item.endpoint().equals(endpoint)) continue;
                if (request == null) request = parseQuietly(body);
                if (item.value().equals(request.path(item.field()).asText(null))) return entry.getValue();
            }
        }
        return take(endpoint);
    }

    private static JsonNode parseQuietly(String body) {
        try {
            return body == null || body.isBlank() ? Json.object() : Json.parse(body);
        } catch (RuntimeException e) {
            return Json.object();
        }
    }

    Fault take(String endpoint) {
        Queue<Fault> q = scripted.get(endpoint);
        Fault f = q == null ? null : q.poll();
        if (f != null) {
            return f;
        }
        double rate = randomRate;
        List<Fault> choices = randomChoices;
        if (rate > 0 && !choices.isEmpty() && ThreadLocalRandom.current().nextDouble() < rate) {
            return choices.get(ThreadLocalRandom.current().nextInt(choices.size()));
        }
        return null;
    }
}
