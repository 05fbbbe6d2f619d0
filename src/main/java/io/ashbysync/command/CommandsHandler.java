package io.ashbysync.command;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.ashbysync.platform.Deadline;
import io.ashbysync.platform.SqsBatch;
import io.ashbysync.work.WorkDispatcher;
import jakarta.inject.Named;
import org.jboss.logging.MDC;

/**
 * Consumes Findem's commands queue and the internal work queue (both are event sources of this function), reporting
 * failures per message. A batch comes from one queue, told apart by the source ARN: the commands queue is FIFO. The
 * work stops a reserve before Lambda's timeout, which the last attempt of a command needs to report its failure.
 */
@Named("commands")
public class CommandsHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final CommandProcessor commands;
    private final WorkDispatcher work;
    private final CommandsConfig config;

    public CommandsHandler(CommandProcessor commands, WorkDispatcher work, CommandsConfig config) {
        this.commands = commands;
        this.work = work;
        this.config = config;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        try {
            SqsBatch.Limits limits = new SqsBatch.Limits(Deadline.invocationEnds(context, config.deadlineReserve()), config.minimumToStart());
            return SqsBatch.process(event, limits, new SqsBatch.MessageProcessor() {
                @Override
                public void process(SQSEvent.SQSMessage message) throws Exception {
                    if (SqsBatch.isFifo(message)) {
                        commands.process(message, Deadline.remaining(config.minimumLease()).plus(config.deadlineReserve()));
                    } else {
                        work.process(message);
                    }
                }

                @Override
                public void notStarted(SQSEvent.SQSMessage message, String why) {
                    if (SqsBatch.isFifo(message)) commands.notStarted(message, why);
                }
            }, message -> SqsBatch.isFifo(message) ? message.getMessageId() : work.serialKey(message));
        } finally {
            MDC.remove("requestId");
        }
    }
}
