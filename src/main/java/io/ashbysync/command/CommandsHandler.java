package io.ashbysync.command;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.ashbysync.platform.SqsBatch;
import io.ashbysync.work.WorkDispatcher;
import jakarta.inject.Named;
import java.time.Duration;
import org.jboss.logging.MDC;

/**
 * Consumes Findem's commands queue and the internal work queue (both are event sources of this function), reporting
 * failures per message. A batch comes from one queue, told apart by the source ARN: the commands queue is FIFO.
 */
@Named("commands")
public class CommandsHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final CommandProcessor commands;
    private final WorkDispatcher work;

    public CommandsHandler(CommandProcessor commands, WorkDispatcher work) {
        this.commands = commands;
        this.work = work;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        try {
            return SqsBatch.process(event, message -> {
                if (SqsBatch.isFifo(message)) {
                    commands.process(message, Duration.ofMillis(context.getRemainingTimeInMillis()));
                } else {
                    work.process(message);
                }
            }, message -> SqsBatch.isFifo(message) ? message.getMessageId() : work.serialKey(message));
        } finally {
            MDC.remove("requestId");
        }
    }
}
