package io.ashbysync.poll;

import io.ashbysync.application.DelayedRejections;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One scheduled pass over every tenant whose mirror is kept: ACTIVE, and PAUSED (a pause stops writes, not reads; a
 * paused tenant's due delayed rejections fire and are refused item by item, like any write while paused). Tenants run
 * side by side (up to {@code tenant-concurrency}, each on a virtual thread), each under its own lease (one poller per
 * tenant), so a tenant that is large, throttled by Ashby or failing never holds up another: its failure is recorded
 * and the others go on.
 */
@ApplicationScoped
public class PollService {
    private static final Logger LOG = Logger.getLogger(PollService.class);

    private final TenantStore tenants;
    private final TenantSync sync;
    private final SyncState state;
    private final DelayedRejections delayedRejections;
    private final PollerConfig config;
    private final Clock clock = Clock.systemUTC();

    public PollService(TenantStore tenants, TenantSync sync, SyncState state, DelayedRejections delayedRejections,
                       PollerConfig config) {
        this.tenants = tenants;
        this.sync = sync;
        this.state = state;
        this.delayedRejections = delayedRejections;
        this.config = config;
    }

    /** What became of one tenant in this pass. */
    private enum Result { POLLED, UNFINISHED, BUSY, FAILED }

    private record TenantPass(String tenantId, Result result, int rejectionsFired) {}

    /** @param invocationEnds when the Lambda invocation runs out of time */
    public PollSummary pollAll(Instant invocationEnds) {
        Instant stopStarting = invocationEnds.minus(config.stopMargin());
        Semaphore slots = new Semaphore(Math.max(1, config.tenantConcurrency()));
        List<Future<TenantPass>> passes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (TenantConfig tenant : tenants.listMirrored()) {
                passes.add(threads.submit(() -> {
                    slots.acquire();
                    try {
                        return pollTenant(tenant, invocationEnds, stopStarting);
                    } finally {
                        slots.release();
                    }
                }));
            }
        }
        List<String> polled = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int rejectionsFired = 0;
        for (Future<TenantPass> future : passes) {
            TenantPass pass;
            try {
                pass = future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while polling tenants", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a tenant's poll escaped its own error handling", e.getCause());
            }
            rejectionsFired += pass.rejectionsFired();
            switch (pass.result()) {
                case POLLED -> polled.add(pass.tenantId());
                case UNFINISHED -> unfinished.add(pass.tenantId());
                case BUSY -> busy.add(pass.tenantId());
                case FAILED -> failed.add(pass.tenantId());
            }
        }
        return new PollSummary(polled, unfinished, busy, failed, rejectionsFired);
    }

    private TenantPass pollTenant(TenantConfig tenant, Instant invocationEnds, Instant stopStarting) {
        String owner = UUID.randomUUID().toString();
        MDC.put("tenantId", tenant.tenantId());
        int rejectionsFired = 0;
        try {
            // Due delayed rejections first: they are time-sensitive, and firing is safe under any poller's lease.
            rejectionsFired = delayedRejections.fireDue(tenant.tenantId(), clock.instant());
            // the lease outlives the invocation by nothing: a crashed poller's lease frees itself when it would have ended
            if (!state.acquireLease(tenant.tenantId(), owner, clock.instant(), invocationEnds)) {
                return new TenantPass(tenant.tenantId(), Result.BUSY, rejectionsFired);
            }
            try {
                TenantSync.Outcome outcome = sync.sync(tenant, stopStarting);
                return new TenantPass(tenant.tenantId(), outcome == TenantSync.Outcome.DRAINED ? Result.POLLED : Result.UNFINISHED,
                        rejectionsFired);
            } finally {
                state.releaseLease(tenant.tenantId(), owner);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "poll of tenant %s failed: %s", tenant.tenantId(), e.getMessage());
            state.recordFailure(tenant.tenantId(), "poller", clock.instant(), e.getMessage(), hint(e));
            return new TenantPass(tenant.tenantId(), Result.FAILED, rejectionsFired);
        } finally {
            MDC.remove("tenantId");
        }
    }

    /** What an operator can do about a failed pass, where the failure says. */
    private static String hint(RuntimeException e) {
        return switch (e) {
            case AshbyException.Unauthorized ignored -> "Ashby refused the key: rotate it (PUT /admin/tenants/{id}/api-key)";
            case AshbyException.MissingPermission missing -> "missing permission: " + missing.permission();
            case AshbyException.RateLimited ignored -> "Ashby is throttling this key: lower the tenant's requestsPerMinute";
            case AshbyException.Unavailable ignored -> "Ashby was unavailable; the next pass retries from the checkpoint";
            default -> null;
        };
    }

    /**
     * @param polledTenants     every stream drained
     * @param unfinishedTenants out of time; the next run resumes from the checkpoints
     * @param busyTenants       another poller holds the tenant's lease
     * @param rejectionsFired   delayed rejections that came due and were started
     */
    public record PollSummary(List<String> polledTenants, List<String> unfinishedTenants, List<String> busyTenants,
                              List<String> failedTenants, int rejectionsFired) {}
}
