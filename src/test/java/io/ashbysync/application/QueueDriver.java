package io.ashbysync.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.testing.LambdaInvoker;
import io.ashbysync.testing.LocalAws;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Drives the `commands` function from both of its queues as AWS does (the FIFO commands queue and the standard work
 * queue, through Quarkus' Lambda event server), until both are empty, and collects the outbound events.
 */
final class QueueDriver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LocalAws aws;
    private final List<JsonNode> events = new ArrayList<>();

    QueueDriver(LocalAws aws) {
        this.aws = aws;
    }

    void send(JsonNode command) {
        aws.sqs().sendMessage(r -> r.queueUrl(aws.queueUrl("CommandsQueue")).messageBody(command.toString())
                .messageGroupId(command.path("tenantId").asText()).messageDeduplicationId(UUID.randomUUID().toString()));
    }

    /** Delivers until neither queue has a message; returns how many invocations reported a failed message. */
    int drain() {
        int failures = 0;
        for (int round = 0; round < 20_000; round++) {
            int commands = deliver(aws.queueUrl("CommandsQueue"));
            int work = deliver(aws.queueUrl("WorkQueue"));
            if (commands < 0 && work < 0) return failures;
            failures += Math.max(0, commands) + Math.max(0, work);
        }
        throw new AssertionError("the queues never emptied");
    }

    /** -1 when the queue was empty, else the number of messages reported failed (made visible again at once). */
    private int deliver(String queueUrl) {
        List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(0).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        if (messages.isEmpty()) return -1;
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        String queueName = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        for (Message m : messages) {
            ObjectNode record = records.addObject().put("messageId", m.messageId()).put("receiptHandle", m.receiptHandle())
                    .put("body", m.body()).put("eventSource", "aws:sqs").put("awsRegion", LocalAws.REGION)
                    .put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:" + queueName);
            ObjectNode attributes = record.putObject("attributes");
            m.attributesAsStrings().forEach(attributes::put);
        }
        List<String> failed = JsonPath.from(LambdaInvoker.invoke(event.toString())).getList("batchItemFailures.itemIdentifier", String.class);
        for (Message m : messages) {
            if (failed.contains(m.messageId())) {
                aws.sqs().changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
            } else {
                aws.sqs().deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return failed.size();
    }

    /** Every outbound event of the type about the entity, in arrival order. */
    List<JsonNode> events(String type, String entityId) {
        String queue = aws.queueUrl("EventsQueue");
        while (true) {
            List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            if (messages.isEmpty()) break;
            for (Message m : messages) {
                try {
                    events.add(JSON.readTree(m.body()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                aws.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
            }
        }
        return events.stream().filter(e -> type.equals(e.path("type").asText()) && entityId.equals(e.path("entityId").asText())).toList();
    }

    JsonNode result(String commandId) {
        List<JsonNode> results = events("command.result", commandId);
        if (results.size() != 1) throw new AssertionError("expected exactly one command.result for " + commandId + ", got " + results);
        return results.getFirst().get("data");
    }
}
