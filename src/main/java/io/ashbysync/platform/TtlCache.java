package io.ashbysync.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A per-key value reused until it is {@code ttl} old. Lambda instances are short-lived, so no size bound is needed.
 * One caller loads a missing or expired value while the others of that moment wait for it: a batch of work items
 * starting together would otherwise each read the same item (a failed load is not kept).
 */
public final class TtlCache<V> {
    private record Entry<V>(CompletableFuture<V> value, Instant loadedAt) {}

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    public TtlCache(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    public V get(String key, Supplier<V> loader) {
        Instant now = clock.instant();
        CompletableFuture<V> mine = new CompletableFuture<>();
        Entry<V> entry = entries.compute(key, (k, current) ->
                current == null || current.loadedAt().plus(ttl).isBefore(now) ? new Entry<>(mine, now) : current);
        if (entry.value() == mine) {
            try {
                mine.complete(loader.get());
            } catch (RuntimeException e) {
                entries.remove(key, entry);
                mine.completeExceptionally(e);
                throw e;
            }
        }
        try {
            return entry.value().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    public void invalidate(String key) {
        entries.remove(key);
    }
}
