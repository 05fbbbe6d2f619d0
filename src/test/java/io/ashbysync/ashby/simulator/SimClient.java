package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A bare java.net.http client for the simulator's own tests (the product has its own client). */
final class SimClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String apiKey;

    SimClient(AshbySimulator sim, String apiKey) {
        this.baseUrl = sim.baseUrl();
        this.apiKey = apiKey;
    }

    HttpResponse<String> post(String endpoint, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + "/" + endpoint))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((apiKey + ":")
                    .getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode call(String endpoint, String body, String... headers) {
        return Json.parse(post(endpoint, body, headers).body());
    }

    JsonNode results(String endpoint, String body) {
        JsonNode r = call(endpoint, body);
        if (!r.path("success").asBoolean()) {
            throw new AssertionError(endpoint + " failed: " + r);
        }
        return r.get("results");
    }
}
