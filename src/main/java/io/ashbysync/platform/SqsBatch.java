package io.ashbysync.platform;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Partial batch failures: each message is processed on its own and only the failed ones go back to the queue
 * (the function's event source sets {@code ReportBatchItemFailures}). A FIFO batch runs in order, and its first
 * failure also returns every later message, so a message group never overtakes its own failed message. A standard
 * queue's batch runs side by side on virtual threads (its messages mostly wait on Ashby, so one invocation does the
 * work of ten), except that messages with the same serial key run one after the other.
 */
public final class SqsBatch {
    private static final Logger LOG = Logger.getLogger(SqsBatch.class);

    @FunctionalInterface
    public interface MessageProcessor {
        /** Returns normally when the message is done (including when it was rejected for good); throws to retry it. */
        void process(SQSEvent.SQSMessage message) throws Exception;
    }

    private SqsBatch() {}

    /** @param serialKey for a standard queue's messages: those with equal keys are processed one after the other */
    public static SQSBatchResponse process(SQSEvent event, MessageProcessor processor, Function<SQSEvent.SQSMessage, String> serialKey) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        boolean fifo = records.stream().anyMatch(SqsBatch::isFifo);
        return new SQSBatchResponse(fifo ? inOrder(records, processor) : sideBySide(records, processor, serialKey));
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

    private static List<SQSBatchResponse.BatchItemFailure> sideBySide(List<SQSEvent.SQSMessage> records, MessageProcessor processor,
                                                                     Function<SQSEvent.SQSMessage, String> serialKey) {
        Map<String, Object> context = MDC.getMap();
        Map<String, List<SQSEvent.SQSMessage>> groups = new LinkedHashMap<>();
        records.forEach(message -> groups.computeIfAbsent(serialKey.apply(message), k -> new ArrayList<>()).add(message));
        List<Future<List<SQSBatchResponse.BatchItemFailure>>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (List<SQSEvent.SQSMessage> group : groups.values()) {
                outcomes.add(threads.submit(() -> {
                    context.forEach(MDC::put);
                    return group.stream().filter(message -> !processOne(message, processor))
                            .map(message -> new SQSBatchResponse.BatchItemFailure(message.getMessageId())).toList();
                }));
            }
        }
        return outcomes.stream().flatMap(outcome -> outcome.resultNow().stream()).toList();
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
