package io.ashbysync.ashby.budget;

import io.ashbysync.ashby.AshbyConfig;
import io.ashbysync.platform.Deadline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Per-tenant request budget shared by every thread and every Lambda instance.
 *
 * <p>Each instance leases small blocks of permits from {@link BudgetLeaseStore}. A block may only be used for
 * {@code leaseTtl} after it was granted; what is left then is given back. A grant therefore only produces requests
 * during [grantedAt, grantedAt + leaseTtl], and the store refuses a grant that would put more than the limit inside
 * any window of {@code window + leaseTtl + clockMargin}: so no sliding window of {@code window} seen by Ashby can hold
 * more than the limit. Block sizes adapt: doubled when a block ran out before its time, halved when it expired
 * unused, so a slow caller does not strand permits that others could use.
 */
@ApplicationScoped
public class LeasedRequestBudget implements RequestBudget {
    private static final Logger LOG = Logger.getLogger(LeasedRequestBudget.class);

    private final BudgetLeaseStore store;
    private final AshbyConfig.Budget config;
    private final Clock clock;
    private final ConcurrentMap<String, TenantPermits> tenants = new ConcurrentHashMap<>();

    @Inject
    public LeasedRequestBudget(BudgetLeaseStore store, AshbyConfig config) {
        this(store, config.budget(), Clock.systemUTC());
    }

    LeasedRequestBudget(BudgetLeaseStore store, AshbyConfig.Budget config, Clock clock) {
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    private static final class TenantPermits {
        final ReentrantLock lock = new ReentrantLock();
        String grantId;
        int remaining;
        Instant usableUntil = Instant.MIN;
        int blockSize = 1;
    }

    @Override
    public void acquire(String tenantId, int requestsPerMinute) {
        int limit = limitPerWindow(requestsPerMinute);
        int maxBlock = Math.max(1, Math.min(config.maxBlock(), limit / 10));
        Duration horizon = config.window().plus(config.leaseTtl()).plus(config.clockMargin());
        TenantPermits permits = tenants.computeIfAbsent(tenantId, t -> new TenantPermits());
        Instant waitLimit = clock.instant().plus(config.maxWait());
        // never past the invocation's deadline: a wait Lambda cuts off would lose the caller's bookkeeping
        Instant deadline = Deadline.earlierOf(waitLimit);
        permits.lock.lock();
        try {
            while (true) {
                Instant now = clock.instant();
                if (permits.remaining > 0 && now.isBefore(permits.usableUntil)) {
                    permits.remaining--;
                    return;
                }
                BudgetLeaseStore.Unused giveBack = null;
                if (permits.grantId != null) {
                    if (permits.remaining > 0) {
                        giveBack = new BudgetLeaseStore.Unused(permits.grantId, permits.remaining);
                        permits.blockSize = Math.max(1, permits.blockSize / 2);
                    } else {
                        permits.blockSize = Math.min(maxBlock, permits.blockSize * 2);
                    }
                }
                permits.blockSize = Math.min(permits.blockSize, maxBlock);
                BudgetLeaseStore.Lease lease = store.lease(tenantId, permits.blockSize, limit, horizon, now, giveBack);
                permits.grantId = null;
                permits.remaining = 0;
                switch (lease) {
                    case BudgetLeaseStore.Granted granted -> {
                        permits.grantId = granted.grantId();
                        permits.remaining = granted.count();
                        permits.usableUntil = now.plus(config.leaseTtl());
                    }
                    case BudgetLeaseStore.Exhausted exhausted -> {
                        if (exhausted.retryAt().isAfter(deadline)) {
                            if (deadline.isBefore(waitLimit)) {
                                throw new Deadline.Exceeded("a permit of tenant " + tenantId + "'s request budget (free at "
                                        + exhausted.retryAt() + ")", deadline);
                            }
                            throw new BudgetExhaustedException(tenantId, config.maxWait());
                        }
                        LOG.debugf("tenant %s budget exhausted, waiting until %s", tenantId, exhausted.retryAt());
                        sleepUntil(exhausted.retryAt());
                    }
                }
            }
        } finally {
            permits.lock.unlock();
        }
    }

    /** The tenant's budget is per minute; the window may be configured shorter (tests) and scales it. */
    int limitPerWindow(int requestsPerMinute) {
        return (int) Math.max(1, requestsPerMinute * config.window().toMillis() / 60_000L);
    }

    private void sleepUntil(Instant when) {
        long millis = Duration.between(clock.instant(), when).toMillis();
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Ashby request budget", e);
        }
    }
}
