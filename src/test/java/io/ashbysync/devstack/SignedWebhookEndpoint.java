package io.ashbysync.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ashbysync.webhook.WebhookSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code POST /dev/webhooks}: signs the body with the demo tenant's webhook secret, as Ashby would, and posts it to
 * the tenant's webhook URL. The secret never leaves the dev stack, so this is how a developer sends a webhook that
 * passes verification; posting straight to {@code /webhooks/ashby/demo} shows the rejection of an unsigned one.
 */
final class SignedWebhookEndpoint implements HttpHandler {
    static final String PATH = "/dev/webhooks";

    private final URI webhookUrl;
    private final String secret;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SignedWebhookEndpoint(URI webhookUrl, String secret) {
        this.webhookUrl = webhookUrl;
        this.secret = secret;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            HttpResponse<byte[]> answer = post(exchange.getRequestBody().readAllBytes());
            answer.headers().firstValue("Content-Type").ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            exchange.getResponseBody().write(answer.body());
        }
    }

    /** Posts {@code body} to the webhook URL with a valid {@code Ashby-Signature}. */
    HttpResponse<byte[]> post(byte[] body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(webhookUrl).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, WebhookSignature.sign(body, secret))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while posting the webhook", e);
        }
    }
}
