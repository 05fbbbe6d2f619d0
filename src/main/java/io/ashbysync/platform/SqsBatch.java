package io.ashbysync.platform;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Partial batch failures: each message is processed on its own and only the failed ones go back to the queue
 * (the function's event source sets {@code ReportBatchItemFailures}). A FIFO batch runs in order, and its first
 * failure also returns every later message, so a message group never overtakes its own failed message. A standard
 * queue's batch runs side by side on virtual threads: its messages are independent and mostly wait on Ashby, so one
 * invocation does the work of ten.
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
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        boolean fifo = records.stream().anyMatch(SqsBatch::isFifo);
        return new SQSBatchResponse(fifo ? inOrder(records, processor) : sideBySide(records, processor));
    }

    private static List<SQSBatchResponse.BatchItemFailure> inOrder(List<SQSEvent.SQSMessage> records, MessageProcessor processor) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : records) {
            if (!failures.isEmpty() || !processOne(message, processor)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return failures;
    }

    private static List<SQSBatchResponse.BatchItemFailure> sideBySide(List<SQSEvent.SQSMessage> records, MessageProcessor processor) {
        Map<String, Object> context = MDC.getMap();
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (SQSEvent.SQSMessage message : records) {
                outcomes.add(threads.submit(() -> {
                    context.forEach(MDC::put);
                    return processOne(message, processor);
                }));
            }
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (!outcomes.get(i).resultNow()) failures.add(new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
        }
        return failures;
    }

    /** @return whether the message is done; false sends it back to the queue */
    private static boolean processOne(SQSEvent.SQSMessage message, MessageProcessor processor) {
        MDC.put("messageId", message.getMessageId());
        try {
            processor.process(message);
            return true;
        } catch (Exception e) {
            LOG.warnf(e, "message %s failed and goes back to the queue: %s", message.getMessageId(), e.getMessage());
            return false;
        } finally {
            MDC.remove("messageId");
        }
    }

    public static boolean isFifo(SQSEvent.SQSMessage message) {
        return message.getEventSourceArn() != null && message.getEventSourceArn().endsWith(".fifo");
    }
}
