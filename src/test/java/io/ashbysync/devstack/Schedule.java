package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The EventBridge schedule rule of the poller: invokes the function every {@code period} with a Scheduled Event,
 * one at a time (a slow pass delays the next tick instead of overlapping it).
 */
final class Schedule implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalFunction function;
    private final String ruleArn;
    private final String region;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("schedule").factory());

    private Schedule(LocalFunction function, String stackName, String region) {
        this.function = function;
        this.ruleArn = "arn:aws:events:" + region + ":" + LocalFunction.ACCOUNT_ID + ":rule/" + stackName + "-Poll";
        this.region = region;
    }

    /** Starts ticking; the first scheduled invocation is one period from now. */
    static Schedule start(LocalFunction function, String stackName, String region, Duration period) {
        Schedule schedule = new Schedule(function, stackName, region);
        schedule.timer.scheduleWithFixedDelay(() -> schedule.invoke("schedule"), period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return schedule;
    }

    /** Invokes the function once now (as a tick would) and prints the invocation. */
    LocalLambdaRuntime.Result invoke(String trigger) {
        LocalLambdaRuntime.Result result = function.invoke(event());
        Object summary = result.outcome() instanceof LocalLambdaRuntime.Outcome.Succeeded succeeded ? succeeded.payloadText() : "-";
        DevConsole.invocation(function.name(), trigger, result, "summary", summary);
        return result;
    }

    /** The event EventBridge sends for a schedule rule. */
    String event() {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "0")
                .put("id", UUID.randomUUID().toString())
                .put("detail-type", "Scheduled Event")
                .put("source", "aws.events")
                .put("account", LocalFunction.ACCOUNT_ID)
                .put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .put("region", region);
        event.putArray("resources").add(ruleArn);
        event.putObject("detail");
        return event.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
