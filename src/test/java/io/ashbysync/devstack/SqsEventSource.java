package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An SQS event source mapping with {@code ReportBatchItemFailures}, as Lambda runs it: long-polls one queue, gathers
 * up to the mapping's batch size (10 per receive, for at most its batching window), invokes the function with them
 * in Lambda's SQS event shape, deletes the messages the function did not list
 * in {@code batchItemFailures}, and leaves the others to reappear after the visibility timeout (the queue's redrive
 * policy moves them to the dead-letter queue after maxReceiveCount receives). A function error or timeout leaves
 * the whole batch, as in Lambda.
 */
final class SqsEventSource implements AutoCloseable {
    /** What one receive can return. */
    static final int RECEIVE_MAX = 10;
    private static final int LONG_POLL_SECONDS = 5;
    private static final Duration RETRY_AFTER_RECEIVE_ERROR = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Told about each message once its invocation ended. */
    interface MessageListener {
        /** @param deleted true when the function processed it (deleted); false when it stays for a retry */
        void settled(Message message, boolean deleted);
    }

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueName;
    private final String queueArn;
    private final String region;
    private final LocalFunction function;
    private final int batchSize;
    private final Duration batchingWindow;
    private final List<MessageListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private final Thread poller;

    private SqsEventSource(SqsClient sqs, String queueUrl, String region, LocalFunction function, int batchSize, Duration batchingWindow) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueName = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        this.queueArn = "arn:aws:sqs:" + region + ":" + LocalFunction.ACCOUNT_ID + ":" + queueName;
        this.region = region;
        this.function = function;
        this.batchSize = batchSize;
        this.batchingWindow = batchingWindow;
        this.poller = Thread.ofPlatform().daemon().name("sqs-" + queueName).unstarted(this::pollUntilClosed);
    }

    static SqsEventSource start(SqsClient sqs, String queueUrl, String region, LocalFunction function, int batchSize,
                                Duration batchingWindow) {
        SqsEventSource source = new SqsEventSource(sqs, queueUrl, region, function, batchSize, batchingWindow);
        source.poller.start();
        return source;
    }

    String queueName() {
        return queueName;
    }

    void addListener(MessageListener listener) {
        listeners.add(listener);
    }

    void removeListener(MessageListener listener) {
        listeners.remove(listener);
    }

    private void pollUntilClosed() {
        while (running) {
            List<Message> batch;
            try {
                batch = new ArrayList<>(receive(LONG_POLL_SECONDS, batchSize));
                long windowEnds = System.nanoTime() + batchingWindow.toNanos();
                while (!batch.isEmpty() && batch.size() < batchSize && System.nanoTime() < windowEnds) {
                    List<Message> more = receive(0, batchSize - batch.size());
                    if (more.isEmpty()) break;
                    batch.addAll(more);
                }
            } catch (SdkException e) {
                if (!running) {
                    return;
                }
                DevConsole.event("sqs-error", "queue", queueName, "error", e.getMessage());
                pauseAfterError();
                continue;
            }
            if (!batch.isEmpty()) {
                deliver(batch);
            }
        }
    }

    private List<Message> receive(int waitSeconds, int wanted) {
        return sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(Math.min(RECEIVE_MAX, wanted))
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    private void deliver(List<Message> batch) {
        LocalLambdaRuntime.Result result = function.invoke(event(batch));
        Set<String> failed = failedMessageIds(result.outcome(), batch);
        List<Message> processed = batch.stream().filter(m -> !failed.contains(m.messageId())).toList();
        delete(processed);
        DevConsole.invocation(function.name(), "sqs:" + queueName, result,
                "messages", batch.size(), "deleted", processed.size(), "left-for-retry", failed.size());
        for (Message message : batch) {
            boolean deleted = !failed.contains(message.messageId());
            listeners.forEach(listener -> listener.settled(message, deleted));
        }
    }

    /**
     * Lambda's rules: an error or timeout fails the batch; an empty or null response fails nothing; a failure entry
     * naming no message of the batch fails the whole batch.
     */
    private static Set<String> failedMessageIds(LocalLambdaRuntime.Outcome outcome, List<Message> batch) {
        Set<String> all = new HashSet<>(batch.stream().map(Message::messageId).toList());
        if (!(outcome instanceof LocalLambdaRuntime.Outcome.Succeeded succeeded)) {
            return all;
        }
        JsonNode response;
        try {
            response = succeeded.payload().length == 0 ? null : JSON.readTree(succeeded.payload());
        } catch (IOException notJson) {
            return all;
        }
        Set<String> failed = new HashSet<>();
        if (response == null || response.isNull()) {
            return failed;
        }
        for (JsonNode failure : response.path("batchItemFailures")) {
            String id = failure.path("itemIdentifier").asText("");
            if (!all.contains(id)) {
                return all;
            }
            failed.add(id);
        }
        return failed;
    }

    /** Deletes in requests of {@link #RECEIVE_MAX}, SQS's limit per batch request. */
    private void delete(List<Message> processed) {
        for (int from = 0; from < processed.size(); from += RECEIVE_MAX) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            List<Message> chunk = processed.subList(from, Math.min(from + RECEIVE_MAX, processed.size()));
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(chunk.get(i).receiptHandle()).build());
            }
            DeleteMessageBatchResponse response;
            try {
                response = sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
            } catch (SdkException e) {
                // closing: the messages reappear after their visibility timeout, as when Lambda stops mid-batch
                if (!running) return;
                throw e;
            }
            response.failed().forEach(failure -> DevConsole.event("sqs-error", "queue", queueName,
                    "error", "delete failed: " + failure.code() + " " + failure.message()));
        }
    }

    /** The event Lambda passes for an SQS batch. */
    String event(List<Message> batch) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : batch) {
            ObjectNode record = records.addObject()
                    .put("messageId", message.messageId())
                    .put("receiptHandle", message.receiptHandle())
                    .put("body", message.body())
                    .put("md5OfBody", message.md5OfBody())
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", queueArn)
                    .put("awsRegion", region);
            ObjectNode attributes = record.putObject("attributes");
            message.attributesAsStrings().forEach(attributes::put);
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((name, value) -> {
                ObjectNode attribute = messageAttributes.putObject(name).put("dataType", value.dataType());
                if (value.stringValue() != null) {
                    attribute.put("stringValue", value.stringValue());
                }
                if (value.binaryValue() != null) {
                    attribute.put("binaryValue", value.binaryValue().asByteArray());
                }
                attribute.putArray("stringListValues");
                attribute.putArray("binaryListValues");
            });
        }
        return event.toString();
    }

    private void pauseAfterError() {
        try {
            // Not synchronisation: a back-off so an unreachable queue does not spin the CPU.
            Thread.sleep(RETRY_AFTER_RECEIVE_ERROR);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
    }
}
