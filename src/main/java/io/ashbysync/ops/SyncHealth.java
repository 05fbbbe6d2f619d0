package io.ashbysync.ops;

import io.ashbysync.platform.Metrics;
import io.ashbysync.poll.PollService;
import io.ashbysync.poll.SyncState;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * After each poller pass: records each drained tenant's success for the status page (failures are recorded where
 * they happen, with their hint), and emits each active
 * tenant's sync lag (seconds since its mirror last caught up) as a metric, which the lag alarm watches.
 */
@ApplicationScoped
public class SyncHealth {
    public static final String POLLER = "poller";

    private final SyncState state;
    private final TenantStore tenants;
    private final Clock clock = Clock.systemUTC();

    public SyncHealth(SyncState state, TenantStore tenants) {
        this.state = state;
        this.tenants = tenants;
    }

    public void afterPass(PollService.PollSummary summary) {
        Instant now = clock.instant();
        summary.polledTenants().forEach(t -> state.recordSuccess(t, POLLER, now));
        tenants.listActive().forEach(t -> lag(t.tenantId(), now).ifPresent(lag -> Metrics.syncLag(t.tenantId(), lag.toSeconds())));
    }

    /** Time since the tenant's last complete pass; empty before the first one. */
    public Optional<Duration> lag(String tenantId, Instant now) {
        return Optional.ofNullable(state.health(tenantId).get(POLLER)).map(SyncState.Health::lastSuccessAt)
                .map(at -> Duration.between(at, now));
    }
}
