package io.ashbysync.platform;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * When the work of the current invocation must be done: Lambda kills an invocation at its timeout, so every wait
 * inside it (request budget, Ashby retries and their backoff, downloads) stops here instead, leaving the time the
 * handler reserved for its bookkeeping (a failure result before the dead-letter queue, a rollback).
 *
 * <p>Set by each function's handler around the work of one message or request ({@link #within}); the threads that
 * work starts inherit it (the batch's and the poller's virtual threads). Outside of any invocation (tests calling a
 * service directly, the dev stack's helpers) there is no deadline and waits keep their configured limits.
 */
public final class Deadline {
    private static final InheritableThreadLocal<Instant> CURRENT = new InheritableThreadLocal<>();
    static Clock clock = Clock.systemUTC();

    private static final Duration MAX_LAMBDA_RUN = Duration.ofMinutes(15);

    private Deadline() {}

    /**
     * When Lambda will stop the invocation, less {@code reserve}. A local event server may send no deadline (or a
     * nonsense one); the invocation then gets the longest a Lambda may run.
     */
    public static Instant invocationEnds(Context context, Duration reserve) {
        long remaining = context.getRemainingTimeInMillis();
        Duration left = remaining > 0 && remaining <= MAX_LAMBDA_RUN.toMillis() ? Duration.ofMillis(remaining) : MAX_LAMBDA_RUN;
        return clock.instant().plus(left).minus(reserve);
    }

    /** Runs {@code work} with {@code end} as its deadline (an earlier one already in force stays). */
    public static <T> T within(Instant end, Supplier<T> work) {
        Instant previous = CURRENT.get();
        CURRENT.set(previous != null && previous.isBefore(end) ? previous : end);
        try {
            return work.get();
        } finally {
            if (previous == null) CURRENT.remove();
            else CURRENT.set(previous);
        }
    }

    public static void within(Instant end, Runnable work) {
        within(end, () -> {
            work.run();
            return null;
        });
    }

    public static Optional<Instant> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Time left before the deadline (zero when past); {@code orElse} when there is none. */
    public static Duration remaining(Duration orElse) {
        Instant end = CURRENT.get();
        if (end == null) return orElse;
        Duration left = Duration.between(clock.instant(), end);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The earlier of {@code limit} and the deadline. */
    public static Instant earlierOf(Instant limit) {
        Instant end = CURRENT.get();
        return end != null && end.isBefore(limit) ? end : limit;
    }

    /** {@code wait} shortened to what is left before the deadline. */
    public static Duration cap(Duration wait) {
        Duration left = remaining(wait);
        return left.compareTo(wait) < 0 ? left : wait;
    }

    /** Whether at least {@code needed} is left (always, without a deadline). */
    public static boolean allows(Duration needed) {
        return remaining(Duration.ofDays(1)).compareTo(needed) >= 0;
    }

    /** Throws {@link Exceeded} when the deadline has passed, naming what could not start. */
    public static void check(String what) {
        Instant end = CURRENT.get();
        if (end != null && !clock.instant().isBefore(end)) throw new Exceeded(what, end);
    }

    /**
     * The invocation's time ran out before {@code what}: the work goes back to be retried (it is transient), and the
     * handler still has its reserve to record the attempt.
     */
    public static final class Exceeded extends RuntimeException {
        public Exceeded(String what, Instant end) {
            super("out of invocation time at " + end + " before " + what);
        }
    }
}
