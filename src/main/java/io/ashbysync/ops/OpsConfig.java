package io.ashbysync.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Operations settings (onboarding, rotation, offboarding, dead letters). */
@ConfigMapping(prefix = "ashby-sync.ops")
public interface OpsConfig {
    /**
     * Public base URL of the HTTP API that Ashby's webhooks call; when absent, the admin request's own host is used
     * (the admin routes are served by the same API).
     */
    Optional<String> webhookBaseUrl();

    /** How long every instance may still use a cached secret: the secrets cache TTL. */
    @WithDefault("5m")
    Duration secretPropagation();

    /** How long Ashby may still retry a delivery signed with the previous webhook secret (10 attempts ≈ 2.8 h). */
    @WithDefault("3h")
    Duration webhookRetryWindow();

    /** Offboarding deletes for at most this long per call (the HTTP API answers within 30 s); call again to go on. */
    @WithDefault("20s")
    Duration purgeTimeBudget();

    /** Dead-letter queue URLs (not in the functions' shared environment). */
    Optional<String> commandsDeadLetterQueueUrl();

    Optional<String> workDeadLetterQueueUrl();

    Optional<String> eventsDeadLetterQueueUrl();
}
