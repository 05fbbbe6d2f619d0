package io.ashbysync.testing;

import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SimulatorOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * One Ashby simulator for a Quarkus test run, with request validation against the OpenAPI document switched on so
 * every request our client sends is held to Ashby's contract. Tests reach it with {@code @InjectSimulator}.
 */
public final class AshbySimulatorResource implements QuarkusTestResourceLifecycleManager {
    private AshbySimulator simulator;

    @Override
    public Map<String, String> start() {
        simulator = AshbySimulator.start(SimulatorOptions.defaults().validateRequests(true));
        warmUp();
        return Map.of("quarkus.rest-client.ashby.url", simulator.baseUrl());
    }

    /**
     * The first request loads the OpenAPI validators, which takes longer than the tests' short client timeout; one
     * request here keeps that out of the tests.
     */
    private void warmUp() {
        String key = "warm-up-" + UUID.randomUUID();
        simulator.createOrganization(key);
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/apiKey.info"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException("the Ashby simulator did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(simulator,
                new TestInjector.AnnotatedAndMatchesType(InjectSimulator.class, AshbySimulator.class));
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
            simulator = null;
        }
    }
}
