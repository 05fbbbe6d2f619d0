package io.ashbysync.command;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "ashby-sync.commands")
public interface CommandsConfig {
    /** The commands queue's maxReceiveCount (template.yaml): the last attempt also reports the failure to Findem. */
    @WithDefault("5")
    int maxReceiveCount();

    /** How long idempotency records are kept: redeliveries within this time never repeat a command. */
    @WithDefault("7d")
    Duration idempotencyRetention();

    /** Shortest lease on a command in progress, whatever the invocation's remaining time says. */
    @WithDefault("30s")
    Duration minimumLease();
}
