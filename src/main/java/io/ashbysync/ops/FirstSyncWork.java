package io.ashbysync.ops;

import io.ashbysync.poll.SyncState;
import io.ashbysync.poll.TenantSync;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.work.WorkHandler;
import io.ashbysync.work.WorkItem;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Starts a newly onboarded tenant's first sync at once instead of at the poller's next tick: one run of the
 * tenant's sync under the poller's lease, within the commands function's time; the scheduled poller continues
 * from the checkpoints.
 */
@ApplicationScoped
public class FirstSyncWork implements WorkHandler {
    public static final String TYPE = "tenant.firstSync";
    /** Leaves the commands function (120 s) time to checkpoint and answer. */
    private static final Duration RUN_FOR = Duration.ofSeconds(90);
    private static final Logger LOG = Logger.getLogger(FirstSyncWork.class);

    private final TenantStore tenants;
    private final TenantSync sync;
    private final SyncState state;

    public FirstSyncWork(TenantStore tenants, TenantSync sync, SyncState state) {
        this.tenants = tenants;
        this.sync = sync;
        this.state = state;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void handle(WorkItem item) {
        TenantConfig tenant = tenants.find(item.tenantId()).orElse(null);
        if (tenant == null || !tenant.status().mirrorsAshby()) {
            LOG.infof("first sync of %s skipped: the tenant is not mirrored", item.tenantId());
            return;
        }
        String owner = UUID.randomUUID().toString();
        Instant until = Instant.now().plus(RUN_FOR);
        if (!state.acquireLease(tenant.tenantId(), owner, Instant.now(), until.plusSeconds(20))) {
            LOG.infof("first sync of %s: the poller is already on it", tenant.tenantId());
            return;
        }
        try {
            // recorded as the poller's success, as the poller records its own: the status page's "last success" and lag
            if (sync.sync(tenant, until) == TenantSync.Outcome.DRAINED) state.recordSuccess(tenant.tenantId(), SyncHealth.POLLER, Instant.now());
        } finally {
            state.releaseLease(tenant.tenantId(), owner);
        }
    }
}
