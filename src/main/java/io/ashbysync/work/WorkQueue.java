package io.ashbysync.work;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.platform.AwsResources;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** Sends work items to the internal work queue, ten per request. */
@ApplicationScoped
public class WorkQueue {
    private static final int SQS_BATCH = 10;

    private final SqsClient sqs;
    private final AwsResources resources;
    private final ObjectMapper mapper;

    public WorkQueue(SqsClient sqs, AwsResources resources, ObjectMapper mapper) {
        this.sqs = sqs;
        this.resources = resources;
        this.mapper = mapper;
    }

    public void send(List<WorkItem> items) {
        for (int from = 0; from < items.size(); from += SQS_BATCH) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            List<WorkItem> chunk = items.subList(from, Math.min(from + SQS_BATCH, items.size()));
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(json(chunk.get(i))).build());
            }
            var response = sqs.sendMessageBatch(r -> r.queueUrl(resources.workQueueUrl()).entries(entries));
            if (!response.failed().isEmpty()) {
                throw new IllegalStateException("SQS refused " + response.failed().size() + " work items: " + response.failed().getFirst().message());
            }
        }
    }

    private String json(WorkItem item) {
        try {
            return mapper.writeValueAsString(item);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("work item cannot be serialised", e);
        }
    }
}
