package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * {@code POST /dev/commands}: puts the request body on the commands queue as Findem would (MessageGroupId = the
 * envelope's tenantId, MessageDeduplicationId = its commandId), because there is no aws CLI to do it locally. The
 * body is not validated beyond those two fields: the commands function is what validates envelopes.
 */
final class CommandsEnqueueEndpoint implements HttpHandler {
    static final String PATH = "/dev/commands";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String commandsQueueUrl;

    CommandsEnqueueEndpoint(SqsClient sqs, String commandsQueueUrl) {
        this.sqs = sqs;
        this.commandsQueueUrl = commandsQueueUrl;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals(PATH)) {
                reply(exchange, 404, JSON.createObjectNode().put("message", "POST " + PATH + " with a command envelope"));
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode envelope;
            try {
                envelope = JSON.readTree(body);
            } catch (IOException notJson) {
                reply(exchange, 400, JSON.createObjectNode().put("message", "body is not JSON: " + notJson.getMessage()));
                return;
            }
            String tenantId = envelope == null ? "" : envelope.path("tenantId").asText("");
            String commandId = envelope == null ? "" : envelope.path("commandId").asText("");
            if (tenantId.isEmpty() || commandId.isEmpty()) {
                reply(exchange, 400, JSON.createObjectNode()
                        .put("message", "tenantId and commandId are needed for the message group and deduplication id"));
                return;
            }
            try {
                String messageId = send(body, tenantId, commandId);
                DevConsole.event("enqueued", "queue", queueName(), "messageId", messageId, "tenantId", tenantId, "commandId", commandId);
                reply(exchange, 202, JSON.createObjectNode().put("messageId", messageId).put("queue", queueName()));
            } catch (SdkException e) {
                reply(exchange, 502, JSON.createObjectNode().put("message", "SQS refused the message: " + e.getMessage()));
            }
        }
    }

    String send(String envelope, String tenantId, String commandId) {
        return sqs.sendMessage(r -> r.queueUrl(commandsQueueUrl).messageBody(envelope)
                .messageGroupId(tenantId).messageDeduplicationId(commandId)).messageId();
    }

    private String queueName() {
        return commandsQueueUrl.substring(commandsQueueUrl.lastIndexOf('/') + 1);
    }

    private static void reply(HttpExchange exchange, int status, JsonNode json) throws IOException {
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
