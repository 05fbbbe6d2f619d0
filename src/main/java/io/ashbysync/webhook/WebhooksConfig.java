package io.ashbysync.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of webhook processing ({@code ashby-sync.webhooks.*}). */
@ConfigMapping(prefix = "ashby-sync.webhooks")
public interface WebhooksConfig {
    /**
     * How long one delivery's processing holds its webhookActionId: longer than the commands function's timeout
     * (120 s), so a live run is never overtaken, and shorter than the work queue's visibility timeout (720 s), so the
     * retry of a crashed run finds the lease expired.
     */
    @WithDefault("150s")
    Duration processingLease();

    /** How long a processed webhookActionId is remembered; Ashby's retries of one delivery span about 2.8 hours. */
    @WithDefault("7d")
    Duration dedupRetention();

    /**
     * A webhook is reported silent when the poller had to bring in a change of its kind made more than this after
     * the webhook's last delivery, and at least this long ago ({@link WebhookSilence}). Longer than Ashby's first
     * retries and than the one-minute granularity of the recorded delivery times.
     */
    @WithDefault("30m")
    Duration silenceGrace();
}
