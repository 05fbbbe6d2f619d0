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

    /**
     * Time kept back from the work at the end of an invocation: what a failed attempt needs to release its lease and,
     * on the last attempt, publish its {@code retries_exhausted} result: two AWS calls of at most 8 s each
     * ({@code quarkus.dynamodb/sqs.api-call-timeout}).
     */
    @WithDefault("20s")
    Duration deadlineReserve();

    /** A message is not started with less work time left than this; it goes back to the queue unstarted. */
    @WithDefault("10s")
    Duration minimumToStart();
}
