package io.ashbysync.command;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.ashbysync.platform.SqsBatch;
import jakarta.inject.Named;
import org.jboss.logging.MDC;

/** Consumes Findem's commands (and, later, the internal work queue), reporting failures per message. */
@Named("commands")
public class CommandsHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final CommandProcessor processor;

    public CommandsHandler(CommandProcessor processor) {
        this.processor = processor;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        try {
            return SqsBatch.process(event, processor::process);
        } finally {
            MDC.remove("requestId");
        }
    }
}
