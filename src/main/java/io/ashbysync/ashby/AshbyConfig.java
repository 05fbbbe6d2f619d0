package io.ashbysync.ashby;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the Ashby client. The base URL and timeouts are the REST client's: {@code quarkus.rest-client.ashby.*}. */
@ConfigMapping(prefix = "ashby")
public interface AshbyConfig {
    /** Pinned with the {@code Ashby-Version} request header so a new default version never changes our shapes. */
    @WithDefault("2026-01-01")
    String apiVersion();

    Retry retry();

    Budget budget();

    /** How long every tenant pauses after a 429 with {@code X-RateLimit-Scope: integration-partner} and no Retry-After. */
    @WithDefault("30s")
    Duration partnerThrottlePause();

    interface Retry {
        /** Retries after the first attempt. */
        @WithDefault("6")
        int maxRetries();

        @WithDefault("250ms")
        Duration initialDelay();

        @WithDefault("20s")
        Duration maxDelay();

        /** Give up when retrying has taken this long, whatever the count. */
        @WithDefault("120s")
        Duration maxDuration();
    }

    interface Budget {
        /** Ashby is assumed to count requests per sliding window of this length; the tenant's limit is per minute. */
        @WithDefault("60s")
        Duration window();

        /** A leased block of permits must be used within this time, then its leftovers go back. */
        @WithDefault("2s")
        Duration leaseTtl();

        /** Slack for clock skew between instances and Ashby and for time in flight. */
        @WithDefault("1s")
        Duration clockMargin();

        /** Largest block one instance leases at once. */
        @WithDefault("50")
        int maxBlock();

        /** A caller waiting longer than this for a permit gets {@link io.ashbysync.ashby.budget.BudgetExhaustedException}. */
        @WithDefault("5m")
        Duration maxWait();
    }
}
