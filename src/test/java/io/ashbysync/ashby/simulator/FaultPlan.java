package io.ashbysync.ashby.simulator;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/** Scripted faults per endpoint (consumed in order, one per request) plus optional random faults. */
public final class FaultPlan {
    private final Map<String, Queue<Fault>> scripted = new ConcurrentHashMap<>();
    private volatile double randomRate;
    private volatile List<Fault> randomChoices = List.of();

    /** Queues a fault for the next request to {@code endpoint} (e.g. "candidate.create"). */
    public FaultPlan next(String endpoint, Fault fault) {
        scripted.computeIfAbsent(endpoint, e -> new ConcurrentLinkedQueue<>()).add(fault);
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
        randomRate = 0;
    }

    public int pending(String endpoint) {
        Queue<Fault> q = scripted.get(endpoint);
        return q == null ? 0 : q.size();
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
