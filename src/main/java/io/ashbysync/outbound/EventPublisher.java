package io.ashbysync.outbound;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.SqsSender;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Puts events for Findem on the outbound queue, with type and tenant as message attributes for filtering. An event
 * too large for one SQS message goes with its data claim-checked ({@link ClaimCheck}).
 */
@ApplicationScoped
public class EventPublisher {
    private final SqsSender sqs;
    private final AwsResources resources;
    private final ObjectMapper mapper;
    private final ClaimCheck claims;

    public EventPublisher(SqsSender sqs, AwsResources resources, ObjectMapper mapper, ClaimCheck claims) {
        this.sqs = sqs;
        this.resources = resources;
        this.mapper = mapper;
        this.claims = claims;
    }

    public void publish(OutboundEvent event) {
        publish(List.of(event));
    }

    /** Returns once every event is on the queue; throws if SQS keeps refusing some of them. */
    public void publish(List<OutboundEvent> events) {
        List<SendMessageBatchRequestEntry.Builder> builders = SqsSender.entries(events.size());
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            OutboundEvent event = events.get(i);
            SendMessageBatchRequestEntry.Builder entry = builders.get(i).messageAttributes(Map.of(
                    "type", MessageAttributeValue.builder().dataType("String").stringValue(event.type()).build(),
                    "tenantId", MessageAttributeValue.builder().dataType("String").stringValue(event.tenantId()).build()));
            SendMessageBatchRequestEntry whole = entry.messageBody(json(event)).build();
            entries.add(SqsSender.size(whole) <= SqsSender.MAX_BYTES ? whole
                    : entry.messageBody(json(event.withDataAt(claims.store(event.tenantId(), "events", event.eventId(), json(event.data()))))).build());
        }
        sqs.send(resources.eventsQueueUrl(), entries);
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("outbound event cannot be serialised", e);
        }
    }
}
