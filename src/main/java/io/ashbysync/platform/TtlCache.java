package io.ashbysync.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** A per-key value reused until it is {@code ttl} old. Lambda instances are short-lived, so no size bound is needed. */
public final class TtlCache<V> {
    private record Entry<V>(V value, Instant loadedAt) {}

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    public TtlCache(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    public V get(String key, Supplier<V> loader) {
        Entry<V> entry = entries.get(key);
        Instant now = clock.instant();
        if (entry == null || entry.loadedAt().plus(ttl).isBefore(now)) {
            entry = new Entry<>(loader.get(), now);
            entries.put(key, entry);
        }
        return entry.value();
    }

    public void invalidate(String key) {
        entries.remove(key);
    }
}
