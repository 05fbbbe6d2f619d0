package io.ashbysync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Drives the `commands` function the way AWS does: commands go onto the real FIFO commands queue (ElasticMQ), are
 * received with their real attributes, handed to the function through Quarkus' Lambda event server, and deleted
 * unless the function reported them failed (those are made visible again at once, as a redelivery). Results are
 * read from the real events queue.
 */
public final class CommandHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Events read so far; the queue is shared by all tests of a run, so readers filter by command id. */
    private static final List<JsonNode> EVENTS = new CopyOnWriteArrayList<>();
    private static final int SQS_MAX_MESSAGE_BYTES = 262_144;

    private final LocalAws aws;
    private final Function<String, String> commandsFunction;

    public CommandHarness(LocalAws aws) {
        this(aws, LambdaInvoker::invoke);
    }

    /**
     * @param commandsFunction takes an SQS event (JSON) to the {@code commands} function and returns its answer:
     *                         {@link LambdaInvoker#invoke} by default, {@link InProcessCommands#invoke} in a test
     *                         profile that serves another function
     */
    public CommandHarness(LocalAws aws, Function<String, String> commandsFunction) {
        this.aws = aws;
        this.commandsFunction = commandsFunction;
    }

    private String commandsQueue() {
        return aws.queueUrl("CommandsQueue");
    }

    public static ObjectNode command(String type, String tenantId, ObjectNode payload) {
        ObjectNode command = JSON.createObjectNode().put("type", type).put("commandId", "cmd-" + UUID.randomUUID())
                .put("tenantId", tenantId);
        command.putObject("requestedBy").put("email", "rita@acme.example").put("name", "Rita Recruiter");
        command.set("payload", payload);
        return command;
    }

    /** Findem's side: one message per command, grouped per tenant and profile. */
    public void send(JsonNode command) {
        sendUnchecked(command);
    }

    /** Sends a command that must match the documented command schema (docs/schemas/command.schema.json). */
    public void sendValid(JsonNode command) {
        List<String> problems = ContractSchemas.problems("command.schema.json", command.toString());
        if (!problems.isEmpty()) throw new AssertionError("the test's command breaks the documented schema: " + problems);
        sendUnchecked(command);
    }

    private void sendUnchecked(JsonNode command) {
        String group = command.path("tenantId").asText() + ":" + command.path("payload").path("findemProfileId").asText("-");
        aws.sqs().sendMessage(r -> r.queueUrl(commandsQueue()).messageBody(command.toString())
                .messageGroupId(group).messageDeduplicationId(UUID.randomUUID().toString()));
    }

    /** One poll of the commands queue and one invocation; returns the ids of the messages reported as failed. */
    public List<String> deliverOnce() {
        List<String> failed = deliverOnce(commandsQueue(), 1);
        return failed == null ? List.of() : failed;
    }

    /** Delivers from the commands queue until it has no message (a failed one comes back as a redelivery). */
    public void drainCommands() {
        for (int round = 0; round < 1_000; round++) {
            if (!deliveredAny(commandsQueue())) return;
        }
        throw new AssertionError("the commands queue never emptied");
    }

    /** Delivers from the commands queue and the work queue until neither has a message. */
    public void drain() {
        for (int round = 0; round < 20_000; round++) {
            boolean commandsDelivered = deliveredAny(commandsQueue());
            boolean workDelivered = deliveredAny(aws.queueUrl("WorkQueue"));
            if (!commandsDelivered && !workDelivered) return;
        }
        throw new AssertionError("the queues never emptied");
    }

    /** One delivery from the queue; false when it had no message. */
    private boolean deliveredAny(String queueUrl) {
        return deliverOnce(queueUrl, 0) != null;
    }

    /**
     * Runs one tenant's items of the shared work queue through the commands function until none is left; one that
     * fails goes back and runs again, as SQS would redeliver it (after its fifth receive SQS moves it to the
     * dead-letter queue). Other tenants' items are put back untouched. Returns the types of the items run, in order.
     */
    public List<String> drainWork(String tenantId) {
        String queue = aws.queueUrl("WorkQueue");
        List<Message> others = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        try {
            for (int round = 0; round < 20_000; round++) {
                List<Message> messages = receive(queue, 0);
                if (messages.isEmpty()) return ran;
                List<Message> mine = new ArrayList<>();
                for (Message m : messages) {
                    JsonNode item = json(m.body());
                    if (tenantId.equals(item.path("tenantId").asText())) {
                        mine.add(m);
                        ran.add(item.path("type").asText());
                    } else {
                        others.add(m);
                    }
                }
                if (!mine.isEmpty()) deliver(queue, mine);
            }
            throw new AssertionError("the work of tenant " + tenantId + " never ran out");
        } finally {
            others.forEach(m -> aws.sqs().changeMessageVisibility(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()).visibilityTimeout(0)));
        }
    }

    /** Null when the queue had no message, else the ids the function reported as failed. */
    private List<String> deliverOnce(String queueUrl, int waitSeconds) {
        List<Message> messages = receive(queueUrl, waitSeconds);
        return messages.isEmpty() ? null : deliver(queueUrl, messages);
    }

    private List<Message> receive(String queueUrl, int waitSeconds) {
        return aws.sqs().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(waitSeconds).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    /** Hands the messages to the function as one SQS event; deletes the done ones, makes the failed ones visible again. */
    private List<String> deliver(String queueUrl, List<Message> messages) {
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
        String response = commandsFunction.apply(event.toString());
        List<String> failed = JsonPath.from(response).getList("batchItemFailures.itemIdentifier", String.class);
        for (Message m : messages) {
            if (failed.contains(m.messageId())) {
                aws.sqs().changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
            } else {
                aws.sqs().deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return failed;
    }

    /** Bodies of the messages now in the commands dead-letter queue (left there). */
    public List<String> deadLetters() {
        String dlq = aws.queueUrl("CommandsDeadLetterQueue");
        return aws.sqs().receiveMessage(r -> r.queueUrl(dlq).maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(0))
                .messages().stream().map(Message::body).toList();
    }

    /** Every command.result event for the command, in arrival order. */
    public List<JsonNode> results(String commandId) {
        return events("command.result", commandId);
    }

    /** Every event of the type about the entity, in arrival order. */
    public List<JsonNode> events(String type, String entityId) {
        drainEvents();
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode event : EVENTS) {
            if (type.equals(event.path("type").asText()) && entityId.equals(event.path("entityId").asText())) {
                matching.add(event);
            }
        }
        return matching;
    }

    /** Every event for the tenant, in arrival order. */
    public List<JsonNode> tenantEvents(String tenantId) {
        drainEvents();
        return EVENTS.stream().filter(e -> tenantId.equals(e.path("tenantId").asText())).toList();
    }

    /** Every event of the type for the tenant, in arrival order. */
    public List<JsonNode> tenantEvents(String tenantId, String type) {
        drainEvents();
        return EVENTS.stream().filter(e -> type.equals(e.path("type").asText()) && tenantId.equals(e.path("tenantId").asText())).toList();
    }

    /**
     * The single result of the command; fails if there is not exactly one. A claim-checked result is read from its
     * presigned URL, as Findem reads it; the event keeps its {@code dataRef}.
     */
    public JsonNode result(String commandId) {
        List<JsonNode> results = results(commandId);
        if (results.size() != 1) {
            throw new AssertionError("expected exactly one command.result for " + commandId + ", got " + results);
        }
        return results.getFirst().get("data");
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private void drainEvents() {
        String queue = aws.queueUrl("EventsQueue");
        while (true) {
            List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)).messages();
            if (messages.isEmpty()) return;
            for (Message m : messages) {
                // ElasticMQ takes larger messages; SQS refuses them (and so would fail the send on every attempt)
                long size = m.body().getBytes(StandardCharsets.UTF_8).length;
                if (size > SQS_MAX_MESSAGE_BYTES) {
                    throw new AssertionError("outbound event of " + size + " bytes passes SQS's 256 KiB: " + m.body().substring(0, 300));
                }
                List<String> problems = ContractSchemas.problems("event.schema.json", m.body());
                if (!problems.isEmpty()) {
                    throw new AssertionError("outbound event breaks docs/schemas/event.schema.json: " + problems + " in " + m.body());
                }
                JsonNode event;
                try {
                    event = JSON.readTree(m.body());
                } catch (Exception e) {
                    throw new AssertionError("outbound event is not JSON: " + m.body(), e);
                }
                EVENTS.add(event.hasNonNull("dataRef") ? ClaimedEvents.withData(event) : event);
                aws.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
            }
        }
    }
}
