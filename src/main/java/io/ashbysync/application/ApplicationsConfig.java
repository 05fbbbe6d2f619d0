package io.ashbysync.application;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "ashby-sync.applications")
public interface ApplicationsConfig {
    /** Most applications one {@code application.reject} may name. */
    @WithDefault("5000")
    int maxBulk();

    /** Applications per work-queue chunk: about three Ashby calls each, so one invocation stays short. */
    @WithDefault("25")
    int chunkSize();

    /** How long one delivery of a chunk owns it before another delivery may take it over. */
    @WithDefault("5m")
    Duration chunkLease();

    /**
     * Deliveries of a chunk before it gives up and reports its unfinished applications as {@code retries_exhausted}:
     * the work queue's maxReceiveCount (template.yaml), so the last delivery answers instead of the dead-letter queue.
     */
    @WithDefault("5")
    int chunkMaxAttempts();

    /** How long archive reasons, templates, interview stages and users looked up by email are reused. */
    @WithDefault("10m")
    Duration cacheTtl();

    /** How long a refused {@code X-On-Behalf-Of} is remembered for a tenant before it is tried again. */
    @WithDefault("15m")
    Duration onBehalfOfRefusalMemory();
}
