package io.ashbysync.platform;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Partial batch failures: each message is processed on its own and only the failed ones go back to the queue
 * (the function's event source sets {@code ReportBatchItemFailures}). On a FIFO queue the first failure also returns
 * every later message of the batch, so a message group never overtakes its own failed message.
 */
public final class SqsBatch {
    private static final Logger LOG = Logger.getLogger(SqsBatch.class);

    @FunctionalInterface
    public interface MessageProcessor {
        /** Returns normally when the message is done (including when it was rejected for good); throws to retry it. */
        void process(SQSEvent.SQSMessage message) throws Exception;
    }

    private SqsBatch() {}

    public static SQSBatchResponse process(SQSEvent event, MessageProcessor processor) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        boolean failFifoRest = false;
        for (SQSEvent.SQSMessage message : records) {
            if (failFifoRest) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                continue;
            }
            MDC.put("messageId", message.getMessageId());
            try {
                processor.process(message);
            } catch (Exception e) {
                LOG.warnf(e, "message %s failed and goes back to the queue: %s", message.getMessageId(), e.getMessage());
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                failFifoRest = isFifo(message);
            } finally {
                MDC.remove("messageId");
            }
        }
        return new SQSBatchResponse(failures);
    }

    public static boolean isFifo(SQSEvent.SQSMessage message) {
        return message.getEventSourceArn() != null && message.getEventSourceArn().endsWith(".fifo");
    }
}
