package io.ashbysync.work;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.SqsSender;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/** Sends work items to the internal work queue. */
@ApplicationScoped
public class WorkQueue {
    private final SqsSender sqs;
    private final AwsResources resources;
    private final ObjectMapper mapper;

    public WorkQueue(SqsSender sqs, AwsResources resources, ObjectMapper mapper) {
        this.sqs = sqs;
        this.resources = resources;
        this.mapper = mapper;
    }

    public void send(List<WorkItem> items) {
        List<SendMessageBatchRequestEntry.Builder> builders = SqsSender.entries(items.size());
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            entries.add(builders.get(i).messageBody(json(items.get(i))).build());
        }
        sqs.send(resources.workQueueUrl(), entries);
    }

    private String json(WorkItem item) {
        try {
            return mapper.writeValueAsString(item);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("work item cannot be serialised", e);
        }
    }
}
