package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The initial sync as Findem sees it: a candidate counts once its first {@code candidate.upserted} document (the full
 * ATS profile: applications, history, notes, files) has reached the events queue. Draws a progress bar with count,
 * rate and ETA until every candidate of the tenant has arrived.
 */
final class InitialSyncProgress implements Consumer<JsonNode>, AutoCloseable {
    private static final int BAR_WIDTH = 30;

    private final FindemEvents events;
    private final String tenantId;
    private final int expected;
    private final Instant started = Instant.now();
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final CountDownLatch complete = new CountDownLatch(1);
    private volatile Instant lastArrival = started;

    private InitialSyncProgress(FindemEvents events, String tenantId, int expected) {
        this.events = events;
        this.tenantId = tenantId;
        this.expected = expected;
    }

    /** Starts counting; call before the first poll so no document is missed. */
    static InitialSyncProgress watch(FindemEvents events, String tenantId, int expected) {
        InitialSyncProgress progress = new InitialSyncProgress(events, tenantId, expected);
        events.addListener(progress);
        return progress;
    }

    @Override
    public void accept(JsonNode event) {
        if (!"candidate.upserted".equals(event.path("type").asText()) || !tenantId.equals(event.path("tenantId").asText())) {
            return;
        }
        if (delivered.add(event.path("entityId").asText())) {
            lastArrival = Instant.now();
            if (delivered.size() >= expected) complete.countDown();
        }
    }

    /**
     * Redraws the bar every {@code every} until all candidates arrived or {@code within} passed.
     *
     * @return the time from {@link #watch} to the last candidate's document, or null when it did not finish in time
     */
    Duration await(Duration within, Duration every) throws InterruptedException {
        Instant giveUp = started.plus(within);
        while (!complete.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
            DevConsole.progress(line(), false);
            if (Instant.now().isAfter(giveUp)) {
                DevConsole.progress(line() + "  (stopped waiting)", true);
                return null;
            }
        }
        DevConsole.progress(line(), true);
        return Duration.between(started, lastArrival);
    }

    /** When the last new candidate's document arrived. */
    Instant lastArrival() {
        return lastArrival;
    }

    String line() {
        int done = Math.min(delivered.size(), expected);
        double minutes = Math.max(Duration.between(started, Instant.now()).toMillis(), 1) / 60_000.0;
        long perMinute = Math.round(done / minutes);
        int filled = expected == 0 ? BAR_WIDTH : done * BAR_WIDTH / expected;
        String eta = perMinute == 0 ? "-" : formatDuration(Duration.ofSeconds((expected - done) * 60L / perMinute));
        return "initial sync [%s%s] %,d/%,d candidates · %,d/min · elapsed %s · ETA %s".formatted(
                "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), done, expected, perMinute,
                formatDuration(Duration.between(started, Instant.now())), eta);
    }

    static String formatDuration(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? "%dh%02dm".formatted(s / 3600, s % 3600 / 60) : s >= 60 ? "%dm%02ds".formatted(s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        events.removeListener(this);
    }
}
