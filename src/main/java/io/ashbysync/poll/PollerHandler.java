package io.ashbysync.poll;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.ashbysync.ops.SyncHealth;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.MDC;

/** Runs on the EventBridge schedule: one pass over the active tenants, within the invocation's remaining time. */
@Named("poller")
public class PollerHandler implements RequestHandler<ScheduledEvent, PollService.PollSummary> {
    private static final Duration MAX_LAMBDA_RUN = Duration.ofMinutes(15);

    private final PollService pollService;
    private final SyncHealth health;

    public PollerHandler(PollService pollService, SyncHealth health) {
        this.pollService = pollService;
        this.health = health;
    }

    /** Lambda's deadline; a local event server sends none, and then a run gets the longest a Lambda may run. */
    static Instant invocationEnds(Context context) {
        long remaining = context.getRemainingTimeInMillis();
        return Instant.now().plus(remaining > 0 && remaining <= MAX_LAMBDA_RUN.toMillis() ? Duration.ofMillis(remaining) : MAX_LAMBDA_RUN);
    }

    @Override
    public PollService.PollSummary handleRequest(ScheduledEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        try {
            PollService.PollSummary summary = pollService.pollAll(invocationEnds(context));
            health.afterPass(summary);
            return summary;
        } finally {
            MDC.remove("requestId");
        }
    }
}
