package io.ashbysync.poll;

import io.ashbysync.application.DelayedRejections;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One scheduled pass over every active tenant. Each tenant is synced under its own lease (one poller per tenant);
 * tenants are independent: one tenant's failure is recorded and the pass goes on with the next.
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

    /** @param invocationEnds when the Lambda invocation runs out of time */
    public PollSummary pollAll(Instant invocationEnds) {
        List<String> polled = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        List<String> busy = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int rejectionsFired = 0;
        Instant stopStarting = invocationEnds.minus(config.stopMargin());
        for (TenantConfig tenant : tenants.listActive()) {
            String owner = UUID.randomUUID().toString();
            MDC.put("tenantId", tenant.tenantId());
            try {
                // Due delayed rejections first: they are time-sensitive, and firing is safe under any poller's lease.
                rejectionsFired += delayedRejections.fireDue(tenant.tenantId(), clock.instant());
                // the lease outlives the invocation by nothing: a crashed poller's lease frees itself when it would have ended
                if (!state.acquireLease(tenant.tenantId(), owner, clock.instant(), invocationEnds)) {
                    busy.add(tenant.tenantId());
                    continue;
                }
                try {
                    TenantSync.Outcome outcome = sync.sync(tenant, stopStarting);
                    (outcome == TenantSync.Outcome.DRAINED ? polled : unfinished).add(tenant.tenantId());
                } finally {
                    state.releaseLease(tenant.tenantId(), owner);
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "poll of tenant %s failed: %s", tenant.tenantId(), e.getMessage());
                failed.add(tenant.tenantId());
            } finally {
                MDC.remove("tenantId");
            }
        }
        return new PollSummary(polled, unfinished, busy, failed, rejectionsFired);
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
