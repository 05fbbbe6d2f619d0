package io.ashbysync.platform;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Sends messages ten per request and 256 KiB per request at most (SQS's batch limits) and resends the entries SQS reports as failed; returns once
 * every message is on the queue, or throws.
 */
@ApplicationScoped
public class SqsSender {
    private static final int SQS_BATCH = 10;
    private static final int MAX_ATTEMPTS = 5;
    /** SQS's limit on one message, body and attributes together, and on one batch request in all. */
    public static final long MAX_BYTES = 262_144;

    private final SqsClient sqs;

    public SqsSender(SqsClient sqs) {
        this.sqs = sqs;
    }

    /** Entry ids must be unique within each group of ten; {@link #entries} numbers them. */
    public void send(String queueUrl, List<SendMessageBatchRequestEntry> entries) {
        for (List<SendMessageBatchRequestEntry> batch : batches(entries)) {
            List<SendMessageBatchRequestEntry> pending = batch;
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                List<SendMessageBatchRequestEntry> request = pending;
                SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(request));
                List<String> failedIds = response.failed().stream().map(BatchResultErrorEntry::id).toList();
                pending = request.stream().filter(e -> failedIds.contains(e.id())).toList();
                if (!pending.isEmpty() && attempt == MAX_ATTEMPTS) {
                    throw new IllegalStateException("SQS refused " + pending.size() + " messages for " + queueUrl + ": "
                            + response.failed().getFirst().message());
                }
            }
        }
    }

    /**
     * Requests of at most ten entries and at most 256 KiB in all (SQS refuses a larger batch whole, however small its
     * messages are one by one), in order. Ids stay unique: a request never holds more than ten consecutive entries.
     */
    static List<List<SendMessageBatchRequestEntry>> batches(List<SendMessageBatchRequestEntry> entries) {
        List<List<SendMessageBatchRequestEntry>> batches = new ArrayList<>();
        List<SendMessageBatchRequestEntry> current = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            SendMessageBatchRequestEntry entry = entries.get(i);
            long size = size(entry);
            boolean startsNewTen = i % SQS_BATCH == 0;
            if (!current.isEmpty() && (startsNewTen || bytes + size > MAX_BYTES)) {
                batches.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(entry);
            bytes += size;
        }
        if (!current.isEmpty()) batches.add(current);
        return batches;
    }

    /** What SQS counts of a message: its body and its attributes' names, types and values, in UTF-8. */
    public static long size(SendMessageBatchRequestEntry entry) {
        long size = utf8(entry.messageBody());
        for (var attribute : entry.messageAttributes().entrySet()) {
            size += utf8(attribute.getKey()) + utf8(attribute.getValue().dataType()) + utf8(attribute.getValue().stringValue());
        }
        return size;
    }

    private static long utf8(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Builders for {@link #send}, with ids that are unique within every batch. */
    public static List<SendMessageBatchRequestEntry.Builder> entries(int count) {
        List<SendMessageBatchRequestEntry.Builder> builders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            builders.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i % SQS_BATCH)));
        }
        return builders;
    }
}
