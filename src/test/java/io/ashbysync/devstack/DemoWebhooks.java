package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.WebhookSender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The demo organization's webhooks, wired to the {@code webhooks} function as onboarding will wire a tenant's: one
 * {@code webhook.create} call per type through the simulator's HTTP API, with the tenant's webhook URL and secret.
 * Prints every delivery the simulator makes (its pings included) with the status the function answered, and serves
 * {@code POST /dev/activity?actions=N}, random recruiter activity in the simulator whose webhooks then reach the
 * function signed as Ashby signs them.
 */
final class DemoWebhooks implements HttpHandler, AutoCloseable {
    static final String PATH = "/dev/activity";
    static final List<String> TYPES = List.of("applicationSubmit", "applicationUpdate", "candidateStageChange",
            "candidateHire", "candidateDelete", "candidateMerge", "jobPostingUpdate", "jobPostingPublish", "jobPostingUnpublish",
            "interviewPlanTransition");
    private static final int DEFAULT_ACTIONS = 5;
    private static final int MAX_ACTIONS = 200;
    /** Only bounds one wait of the delivery printer, which then waits again: deliveries can come at any time. */
    private static final Duration DELIVERY_WAIT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AshbySimulator simulator;
    private final DemoTenant tenant;
    private final Random random = new Random();
    private final Thread printer;

    private DemoWebhooks(AshbySimulator simulator, DemoTenant tenant) {
        this.simulator = simulator;
        this.tenant = tenant;
        this.printer = Thread.ofPlatform().daemon().name("webhook-deliveries").unstarted(this::printDeliveries);
    }

    /**
     * Starts printing deliveries, then registers every webhook type; each registration pings {@code webhookUrl}
     * (the simulator saves a webhook disabled when its ping is not answered 2xx), so the HTTP API must be up.
     */
    static DemoWebhooks register(AshbySimulator simulator, DemoTenant tenant, URI webhookUrl) {
        DemoWebhooks webhooks = new DemoWebhooks(simulator, tenant);
        webhooks.printer.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String type : TYPES) {
            JsonNode answer = webhooks.create(http, type, webhookUrl);
            if (!answer.path("success").asBoolean()) {
                throw new IllegalStateException("webhook.create " + type + " failed: " + answer);
            }
            JsonNode hook = answer.path("results");
            DevConsole.event("webhook", "type", type, "id", hook.path("id").asText(), "enabled", hook.path("enabled").asBoolean(),
                    "requestUrl", hook.path("requestUrl").asText());
        }
        return webhooks;
    }

    private JsonNode create(HttpClient http, String type, URI webhookUrl) {
        String body = JSON.createObjectNode().put("webhookType", type).put("requestUrl", webhookUrl.toString())
                .put("secretToken", tenant.webhookSecret()).toString();
        String basic = Base64.getEncoder().encodeToString((tenant.apiKey() + ":").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/webhook.create"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .header("Authorization", "Basic " + basic).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new IllegalStateException("webhook.create " + type + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering webhooks", e);
        }
    }

    private void printDeliveries() {
        WebhookSender sender = simulator.webhookSender();
        int printed = 0;
        while (!Thread.currentThread().isInterrupted()) {
            int seen = printed;
            List<WebhookSender.Delivery> deliveries;
            try {
                deliveries = sender.awaitDeliveries(all -> all.size() > seen, DELIVERY_WAIT);
            } catch (AssertionError nothingNew) {
                continue;
            } catch (IllegalStateException interrupted) {
                return;
            }
            for (WebhookSender.Delivery delivery : deliveries.subList(printed, deliveries.size())) {
                DevConsole.event("delivery", "action", delivery.action(), "webhookActionId", delivery.webhookActionId(),
                        "attempt", delivery.attempt(), "status", delivery.status() == 0 ? "no answer" : delivery.status());
            }
            printed = deliveries.size();
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals(PATH)) {
                FindemEvents.reply(exchange, 404, JSON.createObjectNode().put("message", "POST " + PATH + "?actions=N"));
                return;
            }
            Optional<String> requested = FindemEvents.queryParameter(exchange, "actions");
            int actions;
            try {
                actions = requested.map(Integer::parseInt).orElse(DEFAULT_ACTIONS);
            } catch (NumberFormatException e) {
                actions = -1;
            }
            if (actions < 1 || actions > MAX_ACTIONS) {
                FindemEvents.reply(exchange, 400, JSON.createObjectNode().put("message", "actions must be 1.." + MAX_ACTIONS));
                return;
            }
            tenant.organization().randomActivity(random, actions);
            DevConsole.event("activity", "tenantId", tenant.tenantId(), "actions", actions);
            FindemEvents.reply(exchange, 202, JSON.createObjectNode().put("actions", actions)
                    .put("message", "webhooks are delivered in the background; each delivery is printed with its status"));
        }
    }

    @Override
    public void close() {
        printer.interrupt();
    }
}
