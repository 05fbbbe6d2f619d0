package io.ashbysync.ops;

import io.ashbysync.platform.Metrics;
import io.ashbysync.poll.PollService;
import io.ashbysync.poll.SyncState;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.webhook.WebhookSilence;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * After each poller pass: records each drained tenant's success for the status page (failures are recorded where
 * they happen, with their hint), and emits for each mirrored (active or paused) tenant its sync lag (seconds since its
 * mirror last caught up), which the lag alarm watches, and how many of its webhooks are silent ({@link WebhookSilence}:
 * one query per tenant).
 */
@ApplicationScoped
public class SyncHealth {
    public static final String POLLER = "poller";

    private final SyncState state;
    private final TenantStore tenants;
    private final WebhookSilence silence;
    private final Clock clock = Clock.systemUTC();

    public SyncHealth(SyncState state, TenantStore tenants, WebhookSilence silence) {
        this.state = state;
        this.tenants = tenants;
        this.silence = silence;
    }

    public void afterPass(PollService.PollSummary summary) {
        Instant now = clock.instant();
        summary.polledTenants().forEach(t -> state.recordSuccess(t, POLLER, now));
        for (TenantConfig tenant : tenants.listMirrored()) {
            lag(tenant.tenantId(), now).ifPresent(lag -> Metrics.syncLag(tenant.tenantId(), lag.toSeconds()));
            Metrics.webhooksSilent(tenant.tenantId(), silence.activity(tenant.tenantId()).stream().filter(WebhookSilence.Activity::silent).count());
        }
    }

    /** Time since the tenant's last complete pass; empty before the first one. */
    public Optional<Duration> lag(String tenantId, Instant now) {
        return Optional.ofNullable(state.health(tenantId).get(POLLER)).map(SyncState.Health::lastSuccessAt)
                .map(at -> Duration.between(at, now));
    }
}
