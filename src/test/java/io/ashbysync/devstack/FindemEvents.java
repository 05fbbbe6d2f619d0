package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.testing.ClaimedEvents;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Findem's side of the events queue: long-polls it, prints each event on one line (type, tenant, entity; for a
 * {@code command.result} its status and the error code or the ids it produced), deletes what it read as Findem's
 * consumer would, and keeps the last {@value #KEPT} events for {@code GET /dev/events[?commandId=...]}.
 */
final class FindemEvents implements HttpHandler, AutoCloseable {
    static final String PATH = "/dev/events";
    static final int KEPT = 200;
    private static final int LONG_POLL_SECONDS = 10;
    private static final Duration RETRY_AFTER_RECEIVE_ERROR = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueName;
    private final Deque<JsonNode> recent = new ArrayDeque<>();
    private final List<Consumer<JsonNode>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private final Thread poller;

    private FindemEvents(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueName = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        this.poller = Thread.ofPlatform().daemon().name("findem-" + queueName).unstarted(this::pollUntilClosed);
    }

    static FindemEvents start(SqsClient sqs, String eventsQueueUrl) {
        FindemEvents events = new FindemEvents(sqs, eventsQueueUrl);
        events.poller.start();
        return events;
    }

    /** Told about each event after it was deleted from the queue and kept. */
    void addListener(Consumer<JsonNode> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<JsonNode> listener) {
        listeners.remove(listener);
    }

    /** The kept events, oldest first; only the {@code command.result} of {@code commandId} when it is given. */
    List<JsonNode> recent(Optional<String> commandId) {
        synchronized (recent) {
            return recent.stream().filter(event -> commandId.isEmpty() || isResultOf(event, commandId.get())).toList();
        }
    }

    private static boolean isResultOf(JsonNode event, String commandId) {
        return "command".equals(event.path("entityType").asText()) && commandId.equals(event.path("entityId").asText());
    }

    private void pollUntilClosed() {
        while (running) {
            List<Message> messages;
            try {
                messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .waitTimeSeconds(LONG_POLL_SECONDS)).messages();
            } catch (SdkException e) {
                if (!running) {
                    return;
                }
                DevConsole.event("sqs-error", "queue", queueName, "error", e.getMessage());
                pauseAfterError();
                continue;
            }
            if (messages.isEmpty()) {
                continue;
            }
            delete(messages);
            for (Message message : messages) {
                JsonNode event = parse(message);
                keep(event);
                DevConsole.event("event", describe(event));
                listeners.forEach(listener -> listener.accept(event));
            }
        }
    }

    private static JsonNode parse(Message message) {
        try {
            JsonNode event = JSON.readTree(message.body());
            // too large for SQS: read back as Findem would, from the presigned URL it carries
            return event.hasNonNull("dataRef") ? ClaimedEvents.withData(event) : event;
        } catch (IOException notJson) {
            // Kept as text so a malformed event is visible rather than lost.
            return JSON.createObjectNode().put("type", "unreadable").put("body", message.body());
        }
    }

    private void keep(JsonNode event) {
        synchronized (recent) {
            recent.addLast(event);
            while (recent.size() > KEPT) {
                recent.removeFirst();
            }
        }
    }

    private void delete(List<Message> messages) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                    .receiptHandle(messages.get(i).receiptHandle()).build());
        }
        try {
            sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries)).failed().forEach(failure -> DevConsole.event(
                    "sqs-error", "queue", queueName, "error", "delete failed: " + failure.code() + " " + failure.message()));
        } catch (SdkException e) {
            DevConsole.event("sqs-error", "queue", queueName, "error", "delete failed: " + e.getMessage());
        }
    }

    /**
     * The printed fields: type, tenantId, entity; for a command result its status and the error code or every id
     * in its output ({@code *Id} fields, and {@code *Ids} arrays or objects).
     */
    static Object[] describe(JsonNode event) {
        List<Object> fields = new ArrayList<>(List.of("type", event.path("type").asText(),
                "tenantId", event.path("tenantId").asText(),
                "entity", event.path("entityType").asText() + "/" + event.path("entityId").asText()));
        JsonNode data = event.path("data");
        if ("command.result".equals(event.path("type").asText())) {
            fields.addAll(List.of("commandType", data.path("commandType").asText(), "status", data.path("status").asText()));
            if (data.has("error")) {
                fields.addAll(List.of("error", data.path("error").path("code").asText(), "message", data.path("error").path("message").asText()));
                if (data.path("error").has("field")) {
                    fields.addAll(List.of("field", data.path("error").path("field").asText()));
                }
            }
            data.path("output").properties().forEach(field -> {
                String name = field.getKey();
                JsonNode value = field.getValue();
                if (name.endsWith("Id") && value.isValueNode()) {
                    fields.addAll(List.of(name, value.asText()));
                } else if (name.endsWith("Ids") && value.isContainerNode()) {
                    List<String> ids = new ArrayList<>();
                    value.forEach(id -> ids.add(id.asText()));
                    fields.addAll(List.of(name, String.join(",", ids)));
                }
            });
        } else if (event.hasNonNull("entityVersion")) {
            fields.addAll(List.of("version", event.path("entityVersion").asText()));
        }
        return fields.toArray();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") || !exchange.getRequestURI().getPath().equals(PATH)) {
                reply(exchange, 404, JSON.createObjectNode().put("message", "GET " + PATH + "[?commandId=...]"));
                return;
            }
            ArrayNode events = JSON.createArrayNode();
            recent(queryParameter(exchange, "commandId")).forEach(events::add);
            reply(exchange, 200, events);
        }
    }

    static Optional<String> queryParameter(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            if (key.equals(name) && equals >= 0) {
                return Optional.of(URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8)).filter(v -> !v.isEmpty());
            }
        }
        return Optional.empty();
    }

    static void reply(HttpExchange exchange, int status, JsonNode json) throws IOException {
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void pauseAfterError() {
        try {
            // Not synchronisation: a back-off so an unreachable queue does not spin the CPU.
            Thread.sleep(RETRY_AFTER_RECEIVE_ERROR);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
    }
}
