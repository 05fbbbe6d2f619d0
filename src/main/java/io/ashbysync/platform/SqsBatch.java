package io.ashbysync.platform;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Partial batch failures: each message is processed on its own and only the failed ones go back to the queue
 * (the function's event source sets {@code ReportBatchItemFailures}). A FIFO batch runs in order, and a failure also
 * returns the later messages of the failed message's own group, so a group never overtakes its own failed message
 * while the other groups of the batch go on (a tenant's stuck command never pushes another's towards the dead-letter
 * queue). A standard queue's batch runs side by side on virtual threads (its messages mostly wait on Ashby, so one
 * invocation does the work of ten), except that messages with the same serial key run one after the other.
 *
 * <p>Every message runs within the batch's work deadline ({@link Deadline}); a message that would start with less
 * than {@code minimumToStart} left goes back unstarted ({@link MessageProcessor#notStarted}).
 */
public final class SqsBatch {
    private static final Logger LOG = Logger.getLogger(SqsBatch.class);

    public interface MessageProcessor {
        /** Returns normally when the message is done (including when it was rejected for good); throws to retry it. */
        void process(SQSEvent.SQSMessage message) throws Exception;

        /** The message goes back without having run (no time left, or its group failed before it). */
        default void notStarted(SQSEvent.SQSMessage message, String why) {}
    }

    /** @param workEnds when the work must stop: the invocation's end less what the handler keeps for itself */
    public record Limits(Instant workEnds, Duration minimumToStart) {}

    private SqsBatch() {}

    /** @param serialKey for a standard queue's messages: those with equal keys are processed one after the other */
    public static SQSBatchResponse process(SQSEvent event, Limits limits, MessageProcessor processor,
                                           Function<SQSEvent.SQSMessage, String> serialKey) {
        List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
        boolean fifo = records.stream().anyMatch(SqsBatch::isFifo);
        return Deadline.within(limits.workEnds(), () -> new SQSBatchResponse(fifo
                ? inOrder(records, limits, processor)
                : sideBySide(records, limits, processor, serialKey)));
    }

    private static List<SQSBatchResponse.BatchItemFailure> inOrder(List<SQSEvent.SQSMessage> records, Limits limits, MessageProcessor processor) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        Set<String> failedGroups = new HashSet<>();
        for (SQSEvent.SQSMessage message : records) {
            String group = groupOf(message);
            boolean done;
            if (failedGroups.contains(group)) {
                notStarted(processor, message, "an earlier message of its group failed in this batch");
                done = false;
            } else {
                done = processOne(message, limits, processor);
            }
            if (!done) {
                failedGroups.add(group);
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return failures;
    }

    private static List<SQSBatchResponse.BatchItemFailure> sideBySide(List<SQSEvent.SQSMessage> records, Limits limits, MessageProcessor processor,
                                                                     Function<SQSEvent.SQSMessage, String> serialKey) {
        Map<String, Object> context = MDC.getMap();
        Map<String, List<SQSEvent.SQSMessage>> groups = new LinkedHashMap<>();
        records.forEach(message -> groups.computeIfAbsent(serialKey.apply(message), k -> new ArrayList<>()).add(message));
        List<Future<List<SQSBatchResponse.BatchItemFailure>>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (List<SQSEvent.SQSMessage> group : groups.values()) {
                outcomes.add(threads.submit(() -> {
                    context.forEach(MDC::put);
                    return group.stream().filter(message -> !processOne(message, limits, processor))
                            .map(message -> new SQSBatchResponse.BatchItemFailure(message.getMessageId())).toList();
                }));
            }
        }
        return outcomes.stream().flatMap(outcome -> outcome.resultNow().stream()).toList();
    }

    /** @return whether the message is done; false sends it back to the queue */
    private static boolean processOne(SQSEvent.SQSMessage message, Limits limits, MessageProcessor processor) {
        MDC.put("messageId", message.getMessageId());
        try {
            if (!Deadline.allows(limits.minimumToStart())) {
                LOG.infof("message %s goes back unstarted: %d ms of work time left", message.getMessageId(),
                        Deadline.remaining(Duration.ZERO).toMillis());
                notStarted(processor, message, "the invocation had too little time left to start it");
                return false;
            }
            processor.process(message);
            return true;
        } catch (Exception e) {
            LOG.warnf(e, "message %s failed and goes back to the queue: %s", message.getMessageId(), e.getMessage());
            return false;
        } finally {
            MDC.remove("messageId");
        }
    }

    private static void notStarted(MessageProcessor processor, SQSEvent.SQSMessage message, String why) {
        try {
            processor.notStarted(message, why);
        } catch (RuntimeException e) {
            LOG.warnf(e, "message %s: could not record that it went back unstarted: %s", message.getMessageId(), e.getMessage());
        }
    }

    /** A FIFO message's group (SQS gives it as an attribute); messages without one count as one group. */
    private static String groupOf(SQSEvent.SQSMessage message) {
        String group = message.getAttributes() == null ? null : message.getAttributes().get("MessageGroupId");
        return group == null ? "" : group;
    }

    public static boolean isFifo(SQSEvent.SQSMessage message) {
        return message.getEventSourceArn() != null && message.getEventSourceArn().endsWith(".fifo");
    }
}
