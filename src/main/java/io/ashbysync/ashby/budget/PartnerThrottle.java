package io.ashbysync.ashby.budget;

import io.ashbysync.platform.Deadline;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ashby's 429 with {@code X-RateLimit-Scope: integration-partner} throttles our whole integration across all
 * organizations, so it pauses every tenant in this instance, not only the one whose call got it.
 */
@ApplicationScoped
public class PartnerThrottle {
    private final AtomicReference<Instant> pausedUntil = new AtomicReference<>(Instant.EPOCH);
    private final Clock clock = Clock.systemUTC();

    public void pause(Duration duration) {
        Instant until = clock.instant().plus(duration);
        pausedUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Waits out the pause; one that lasts past the invocation's deadline is not waited for at all. */
    public void awaitClear() {
        Instant until = pausedUntil.get();
        long millis = Duration.between(clock.instant(), until).toMillis();
        if (millis <= 0) return;
        if (Deadline.earlierOf(until).isBefore(until)) {
            throw new Deadline.Exceeded("Ashby's integration-wide throttle ends at " + until, Deadline.current().orElseThrow());
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Ashby throttles the integration", e);
        }
    }

    public boolean paused() {
        return clock.instant().isBefore(pausedUntil.get());
    }
}
