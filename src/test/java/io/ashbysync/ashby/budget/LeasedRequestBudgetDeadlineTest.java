package io.ashbysync.ashby.budget;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.ashbysync.ashby.AshbyConfig;
import io.ashbysync.platform.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The wait for a permit of a used-up budget never outlasts the invocation (it may be 5 min; a command has 120 s). */
class LeasedRequestBudgetDeadlineTest {
    private final AtomicInteger leaseCalls = new AtomicInteger();

    /** A budget that frees up only in 60 s. */
    private final BudgetLeaseStore exhausted = (tenantId, wanted, limit, horizon, now, giveBack) -> {
        leaseCalls.incrementAndGet();
        return new BudgetLeaseStore.Exhausted(now.plusSeconds(60));
    };

    private static AshbyConfig.Budget budget(Duration maxWait) {
        return new AshbyConfig.Budget() {
            public Duration window() { return Duration.ofSeconds(60); }
            public Duration leaseTtl() { return Duration.ofSeconds(2); }
            public Duration clockMargin() { return Duration.ofSeconds(1); }
            public int maxBlock() { return 50; }
            public Duration maxWait() { return maxWait; }
        };
    }

    @Test
    void aPermitThatComesAfterTheInvocationsDeadline_isNotWaitedFor() {
        LeasedRequestBudget budget = new LeasedRequestBudget(exhausted, budget(Duration.ofMinutes(5)), Clock.systemUTC());

        // a generous guard against hanging only: without the deadline the call sleeps 60 s and asks again
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertThatThrownBy(() -> Deadline.within(Instant.now().plusSeconds(5), () -> budget.acquire("t1", 100)))
                        .isInstanceOf(Deadline.Exceeded.class)
                        .hasMessageContaining("request budget"));
    }

    @Test
    void withoutADeadline_theConfiguredMaximumWaitStillApplies() {
        LeasedRequestBudget budget = new LeasedRequestBudget(exhausted, budget(Duration.ofSeconds(1)), Clock.systemUTC());

        assertThatThrownBy(() -> budget.acquire("t1", 100)).isInstanceOf(BudgetExhaustedException.class);
    }
}
