package io.ashbysync.ashby.simulator;

import java.time.Clock;
import java.time.Duration;

/**
 * Start-up settings. Defaults: wall clock, request validation on, no rate limit, webhooks on a 1000× compressed
 * clock (one simulated second = 1 ms), file download URLs valid 10 minutes, any free loopback port.
 */
public final class SimulatorOptions {
    Clock clock = Clock.systemUTC();
    boolean validateRequests = true;
    int rateLimitPerMinute = 0;
    int partnerRateLimitPerMinute = 0;
    Integer retryAfterSeconds = null;
    Duration webhookSecondLength = Duration.ofMillis(1);
    Duration webhookTimeout = Duration.ofSeconds(5);
    Duration downloadUrlLifetime = Duration.ofMinutes(10);
    int port = 0;

    public static SimulatorOptions defaults() {
        return new SimulatorOptions();
    }

    public SimulatorOptions clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Checks request bodies against the OpenAPI request schemas and records violations. */
    public SimulatorOptions validateRequests(boolean on) {
        this.validateRequests = on;
        return this;
    }

    public SimulatorOptions rateLimitPerMinute(int perMinute) {
        this.rateLimitPerMinute = perMinute;
        return this;
    }

    public SimulatorOptions partnerRateLimitPerMinute(int perMinute) {
        this.partnerRateLimitPerMinute = perMinute;
        return this;
    }

    public SimulatorOptions retryAfterSeconds(Integer seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** How long one simulated second of the webhook retry schedule lasts in real time. */
    public SimulatorOptions webhookSecondLength(Duration realTimePerSimulatedSecond) {
        this.webhookSecondLength = realTimePerSimulatedSecond;
        return this;
    }

    public SimulatorOptions webhookTimeout(Duration timeout) {
        this.webhookTimeout = timeout;
        return this;
    }

    public SimulatorOptions downloadUrlLifetime(Duration lifetime) {
        this.downloadUrlLifetime = lifetime;
        return this;
    }

    /**
     * The loopback port to listen on, so a developer can point a tool at a known URL; 0 = any free port. Starting
     * fails when the port is taken (the caller decides whether to fall back to any port).
     */
    public SimulatorOptions port(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        this.port = port;
        return this;
    }
}
