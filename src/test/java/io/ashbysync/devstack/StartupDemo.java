package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Right after start, shows that each function answers through its real trigger: a {@code connection.check} command
 * through the commands queue, one poller pass, and a signed ping webhook through the HTTP API.
 */
final class StartupDemo {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The commands function's timeout (120 s) plus time for the event source to pick the message up. */
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(150);

    private final DevStack stack;

    StartupDemo(DevStack stack) {
        this.stack = stack;
    }

    /** @return true when all three answered as expected */
    boolean run() {
        boolean command = connectionCheckThroughQueue();
        boolean poller = pollOnce();
        boolean webhook = signedPing();
        return command && poller && webhook;
    }

    private boolean connectionCheckThroughQueue() {
        String tenantId = stack.tenant().tenantId();
        String commandId = "startup-check-" + UUID.randomUUID().toString().substring(0, 8);
        String envelope = JSON.createObjectNode().put("type", "connection.check").put("commandId", commandId)
                .put("tenantId", tenantId).<ObjectNode>set("requestedBy",
                        JSON.createObjectNode().put("email", "dev@example.com"))
                .set("payload", JSON.createObjectNode()).toString();
        CompletableFuture<Boolean> deleted = new CompletableFuture<>();
        // Registered before sending, so the outcome cannot be missed however fast the function is.
        SqsEventSource.MessageListener listener = (Message message, boolean wasDeleted) -> {
            if (message.body().contains("\"" + commandId + "\"")) {
                deleted.complete(wasDeleted);
            }
        };
        stack.commandsSource().addListener(listener);
        try {
            String messageId = stack.commandsEndpoint().send(envelope, tenantId, commandId);
            DevConsole.event("check", "what", "connection.check command", "tenantId", tenantId, "commandId", commandId, "messageId", messageId);
            boolean succeeded = deleted.get(COMMAND_WAIT.toSeconds(), TimeUnit.SECONDS);
            DevConsole.event("answer", "function", "commands", "result",
                    succeeded ? "message deleted: connection.check succeeded" : "message left on the queue: the command failed and will be retried");
            return succeeded;
        } catch (TimeoutException e) {
            DevConsole.event("answer", "function", "commands", "result", "no outcome within " + COMMAND_WAIT.toSeconds() + "s");
            return false;
        } catch (ExecutionException e) {
            DevConsole.event("answer", "function", "commands", "result", "failed: " + e.getCause());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            stack.commandsSource().removeListener(listener);
        }
    }

    private boolean pollOnce() {
        LocalLambdaRuntime.Result result = stack.schedule().invoke("startup");
        if (result.outcome() instanceof LocalLambdaRuntime.Outcome.Succeeded succeeded) {
            DevConsole.event("answer", "function", "poller", "summary", succeeded.payloadText());
            return true;
        }
        DevConsole.event("answer", "function", "poller", "result", result.outcome());
        return false;
    }

    private boolean signedPing() {
        String ping = JSON.createObjectNode().put("webhookActionId", UUID.randomUUID().toString()).put("action", "ping")
                .set("data", JSON.createObjectNode().put("webhookActionType", "ping")).toString();
        try {
            HttpResponse<byte[]> response = stack.signedWebhooks().post(ping.getBytes(StandardCharsets.UTF_8));
            DevConsole.event("answer", "function", "webhooks", "url", stack.webhookUrl(), "status", response.statusCode(),
                    "body", new String(response.body(), StandardCharsets.UTF_8));
            return response.statusCode() == 200;
        } catch (IOException e) {
            DevConsole.event("answer", "function", "webhooks", "result", "request failed: " + e.getMessage());
            return false;
        }
    }
}
