package io.ashbysync.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.idempotency.IdempotencyStore;
import io.ashbysync.platform.AwsResources;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The dead-letter queues: look at what is there without taking it (visibility 0), and send messages back to the
 * queue they came from once the cause is fixed. A redrive sends a copy, then deletes the original: a crash between
 * the two leaves a duplicate, which the consumers' idempotency absorbs, never a loss. A FIFO copy gets a
 * deduplication id of its own ({@code redrive-<dead letter's message id>}): the original's would make SQS drop the
 * copy as a duplicate within its 5-minute window, and the delete that follows would lose the command.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    /** @param reason why the last attempt failed, where it was kept (commands: on their idempotency record); else null */
    public record Letter(String messageId, String body, int receiveCount, String sentAt, String messageGroupId, String reason) {}

    public record Redriven(String queue, int moved) {}

    private record Pair(String deadLetterUrl, String sourceUrl, boolean fifo) {}

    private final SqsClient sqs;
    private final AwsResources resources;
    private final OpsConfig config;
    private final IdempotencyStore idempotency;
    private final ObjectMapper mapper;

    public DeadLetters(SqsClient sqs, AwsResources resources, OpsConfig config, IdempotencyStore idempotency, ObjectMapper mapper) {
        this.sqs = sqs;
        this.resources = resources;
        this.config = config;
        this.idempotency = idempotency;
        this.mapper = mapper;
    }

    /** Up to 10 messages; they stay in the queue (visibility 0), so a second look may show others. */
    public List<Letter> peek(String queue) {
        Pair pair = pair(queue);
        return receive(pair.deadLetterUrl(), 0).stream().map(m -> new Letter(m.messageId(), m.body(),
                Integer.parseInt(m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "0")),
                m.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP),
                m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID),
                queue.equals("commands") ? commandFailure(m.body()) : null)).toList();
    }

    /** The command's last failure, kept by the commands function on the command's idempotency record. */
    private String commandFailure(String body) {
        JsonNode command;
        try {
            command = mapper.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
        if (command == null || !command.path("tenantId").isTextual() || !command.path("commandId").isTextual()) return null;
        return idempotency.lastFailure(command.get("tenantId").asText(), command.get("commandId").asText())
                .map(f -> f.message() + " (" + f.at() + ")").orElse(null);
    }

    /** Moves up to {@code max} messages back to their source queue. */
    public Redriven redrive(String queue, int max) {
        Pair pair = pair(queue);
        int moved = 0;
        while (moved < max) {
            List<Message> batch = receive(pair.deadLetterUrl(), 60);
            if (batch.isEmpty()) break;
            for (Message m : batch) {
                if (moved >= max) break;
                sqs.sendMessage(r -> {
                    r.queueUrl(pair.sourceUrl()).messageBody(m.body()).messageAttributes(m.messageAttributes());
                    if (pair.fifo()) {
                        r.messageGroupId(m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                                .messageDeduplicationId("redrive-" + m.messageId());
                    }
                });
                sqs.deleteMessage(r -> r.queueUrl(pair.deadLetterUrl()).receiptHandle(m.receiptHandle()));
                moved++;
            }
        }
        LOG.infof("redrove %d messages from %s", moved, queue);
        return new Redriven(queue, moved);
    }

    private List<Message> receive(String url, int visibility) {
        return new ArrayList<>(sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).visibilityTimeout(visibility)
                .waitTimeSeconds(0).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages());
    }

    private Pair pair(String queue) {
        Map<String, Pair> pairs = Map.of(
                "commands", new Pair(required(config.commandsDeadLetterQueueUrl()), resources.commandsQueueUrl(), true),
                "work", new Pair(required(config.workDeadLetterQueueUrl()), resources.workQueueUrl(), false),
                "events", new Pair(required(config.eventsDeadLetterQueueUrl()), resources.eventsQueueUrl(), false));
        Pair pair = pairs.get(queue);
        if (pair == null) throw new OpsException(404, "queue: one of commands, work, events");
        return pair;
    }

    private static String required(Optional<String> url) {
        return url.orElseThrow(() -> new OpsException(503, "dead-letter queue URLs are not configured"));
    }
}
