package io.ashbysync.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TtlCacheTest {

    @Test
    void callersArrivingWhileAValueLoads_waitForThatLoad() throws Exception {
        int callers = 20;
        // every get() asks the clock first: the load is held until all callers have arrived
        CountDownLatch arrived = new CountDownLatch(1 + callers);
        Clock counting = new MutableClock(Instant.parse("2026-11-29T10:00:00Z")) {
            @Override
            public Instant instant() {
                arrived.countDown();
                return super.instant();
            }
        };
        TtlCache<String> cache = new TtlCache<>(Duration.ofSeconds(10), counting);
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch loading = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            answers.add(threads.submit(() -> cache.get("tenant", () -> {
                loads.incrementAndGet();
                loading.countDown();
                await(arrived);
                return "config";
            })));
            loading.await();
            for (int i = 0; i < callers; i++) {
                answers.add(threads.submit(() -> cache.get("tenant", () -> "loaded again " + loads.incrementAndGet())));
            }
            for (Future<String> answer : answers) assertThat(answer.get()).isEqualTo("config");
        }
        assertThat(loads).as("one read of the tenant's config for a batch starting together").hasValue(1);
    }

    @Test
    void anExpiredValueIsLoadedAgain_andAFailedLoadIsNotKept() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
        TtlCache<String> cache = new TtlCache<>(Duration.ofSeconds(10), clock);
        assertThat(cache.get("tenant", () -> "v1")).isEqualTo("v1");
        clock.now = clock.now.plusSeconds(10);
        assertThat(cache.get("tenant", () -> "v2")).as("still fresh at the ttl").isEqualTo("v1");
        clock.now = clock.now.plusMillis(1);
        assertThatThrownBy(() -> cache.get("tenant", () -> { throw new IllegalStateException("DynamoDB unavailable"); }))
                .hasMessage("DynamoDB unavailable");
        assertThat(cache.get("tenant", () -> "v3")).isEqualTo("v3");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
