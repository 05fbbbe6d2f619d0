package io.ashbysync.outbound;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.platform.AwsResources;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** Puts events for Findem on the outbound queue, ten per request, with type and tenant as message attributes. */
@ApplicationScoped
public class EventPublisher {
    private static final int SQS_BATCH = 10;
    private static final int MAX_ATTEMPTS = 5;

    private final SqsClient sqs;
    private final AwsResources resources;
    private final ObjectMapper mapper;

    public EventPublisher(SqsClient sqs, AwsResources resources, ObjectMapper mapper) {
        this.sqs = sqs;
        this.resources = resources;
        this.mapper = mapper;
    }

    public void publish(OutboundEvent event) {
        publish(List.of(event));
    }

    /** Returns once every event is on the queue; throws if SQS keeps refusing some of them. */
    public void publish(List<OutboundEvent> events) {
        for (int from = 0; from < events.size(); from += SQS_BATCH) {
            List<SendMessageBatchRequestEntry> pending = new ArrayList<>();
            List<OutboundEvent> chunk = events.subList(from, Math.min(from + SQS_BATCH, events.size()));
            for (int i = 0; i < chunk.size(); i++) {
                pending.add(entry(Integer.toString(i), chunk.get(i)));
            }
            for (int attempt = 1; !pending.isEmpty(); attempt++) {
                List<SendMessageBatchRequestEntry> request = pending;
                SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(resources.eventsQueueUrl()).entries(request));
                List<String> failedIds = response.failed().stream().map(BatchResultErrorEntry::id).toList();
                pending = request.stream().filter(e -> failedIds.contains(e.id())).toList();
                if (!pending.isEmpty() && attempt == MAX_ATTEMPTS) {
                    throw new IllegalStateException("SQS refused " + pending.size() + " outbound events: " + response.failed().getFirst().message());
                }
            }
        }
    }

    private SendMessageBatchRequestEntry entry(String id, OutboundEvent event) {
        try {
            return SendMessageBatchRequestEntry.builder()
                    .id(id)
                    .messageBody(mapper.writeValueAsString(event))
                    .messageAttributes(Map.of(
                            "type", MessageAttributeValue.builder().dataType("String").stringValue(event.type()).build(),
                            "tenantId", MessageAttributeValue.builder().dataType("String").stringValue(event.tenantId()).build()))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("outbound event cannot be serialised", e);
        }
    }
}
