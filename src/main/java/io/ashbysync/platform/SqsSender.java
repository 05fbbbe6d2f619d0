package io.ashbysync.platform;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Sends messages ten per request (SQS's batch limit) and resends the entries SQS reports as failed; returns once
 * every message is on the queue, or throws.
 */
@ApplicationScoped
public class SqsSender {
    private static final int SQS_BATCH = 10;
    private static final int MAX_ATTEMPTS = 5;

    private final SqsClient sqs;

    public SqsSender(SqsClient sqs) {
        this.sqs = sqs;
    }

    /** Entry ids must be unique within each group of ten; {@link #entries} numbers them. */
    public void send(String queueUrl, List<SendMessageBatchRequestEntry> entries) {
        for (int from = 0; from < entries.size(); from += SQS_BATCH) {
            List<SendMessageBatchRequestEntry> pending = entries.subList(from, Math.min(from + SQS_BATCH, entries.size()));
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

    /** Builders for {@link #send}, with ids that are unique within every batch. */
    public static List<SendMessageBatchRequestEntry.Builder> entries(int count) {
        List<SendMessageBatchRequestEntry.Builder> builders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            builders.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i % SQS_BATCH)));
        }
        return builders;
    }
}
