package io.ashbysync.ashby;

import io.ashbysync.platform.Deadline;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter (half fixed, half random, so delays never collapse to zero), except that Ashby's
 * {@code Retry-After} wins when a 429 carries one. One instance per guarded call.
 */
final class AshbyBackoff implements CustomBackoffStrategy {
    private final long initialMillis;
    private final long maxMillis;
    private int attempt;

    AshbyBackoff(long initialMillis, long maxMillis) {
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
    }

    /** Never past the invocation's deadline: the retry then finds it passed and gives up at once. */
    @Override
    public long nextDelayInMillis(Throwable cause) {
        return Deadline.cap(Duration.ofMillis(delay(cause))).toMillis();
    }

    private long delay(Throwable cause) {
        if (cause instanceof AshbyException.RateLimited limited && limited.retryAfter().isPresent()) {
            attempt++;
            return limited.retryAfter().get().toMillis();
        }
        long ceiling = Math.min(maxMillis, initialMillis << Math.min(attempt++, 20));
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }
}
