package io.ashbysync.poll;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import jakarta.inject.Named;
import java.time.Instant;
import org.jboss.logging.MDC;

/** Runs on the EventBridge schedule: one pass over the active tenants, within the invocation's remaining time. */
@Named("poller")
public class PollerHandler implements RequestHandler<ScheduledEvent, PollService.PollSummary> {
    private final PollService pollService;

    public PollerHandler(PollService pollService) {
        this.pollService = pollService;
    }

    @Override
    public PollService.PollSummary handleRequest(ScheduledEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        try {
            return pollService.pollAll(Instant.now().plusMillis(context.getRemainingTimeInMillis()));
        } finally {
            MDC.remove("requestId");
        }
    }
}
