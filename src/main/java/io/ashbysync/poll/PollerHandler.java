package io.ashbysync.poll;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.ashbysync.ops.SyncHealth;
import io.ashbysync.platform.Deadline;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.MDC;

/** Runs on the EventBridge schedule: one pass over the active tenants, within the invocation's remaining time. */
@Named("poller")
public class PollerHandler implements RequestHandler<ScheduledEvent, PollService.PollSummary> {
    private static final Duration BOOKKEEPING_RESERVE = Duration.ofSeconds(10);
    private final PollService pollService;
    private final SyncHealth health;

    public PollerHandler(PollService pollService, SyncHealth health) {
        this.pollService = pollService;
        this.health = health;
    }

    @Override
    public PollService.PollSummary handleRequest(ScheduledEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        try {
            // The pass stops starting pages a stop margin before the end; waits inside it stop a reserve before the
            // end, which leaves the time to save checkpoints and release leases.
            Instant ends = Deadline.invocationEnds(context, Duration.ZERO);
            PollService.PollSummary summary = Deadline.within(ends.minus(BOOKKEEPING_RESERVE), () -> pollService.pollAll(ends));
            health.afterPass(summary);
            return summary;
        } finally {
            MDC.remove("requestId");
        }
    }
}
