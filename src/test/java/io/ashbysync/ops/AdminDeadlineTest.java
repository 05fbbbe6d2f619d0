package io.ashbysync.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.Fault;
import io.ashbysync.http.HttpHandler;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.TestLambdaContext;
import io.ashbysync.webhook.WebhookRouteTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API function has 29 s (API Gateway's limit): a slow Ashby must not take the time its rollback needs. */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
class AdminDeadlineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    HttpHandler http;
    @Inject
    TenantStore tenants;

    @AfterEach
    void clearFaults() {
        simulator.faults().clear();
    }

    @Test
    void onboardingAgainstAnAshbyThatDoesNotAnswer_answersBeforeTheDeadlineAndLeavesNothingBehind() {
        String tenantId = "slow-" + UUID.randomUUID().toString().substring(0, 8);
        String apiKey = "key_" + UUID.randomUUID().toString().replace("-", "");
        simulator.createOrganization(apiKey);
        for (int i = 0; i < 7; i++) simulator.faults().next("apiKey.info", Fault.delay(Duration.ofSeconds(20)));
        APIGatewayV2HTTPEvent event = apiEvent(LambdaEvents.http("POST /admin/tenants", "/admin/tenants", Map.of(), Map.of(),
                Map.of("content-type", "application/json", "host", "ignored.example"),
                ("{\"tenantId\":\"" + tenantId + "\",\"apiKey\":\"" + apiKey + "\",\"requestsPerMinute\":1000,"
                        + "\"webhookBaseUrl\":\"http://127.0.0.1:1\"}").getBytes()));

        // 5 s left in the invocation, 3 s of them reserved: Ashby's 20 s delays (read timeout 2.5 s, retried) would
        // otherwise run the invocation out before the rollback
        APIGatewayV2HTTPResponse response = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> http.handleRequest(event, TestLambdaContext.of("api", Duration.ofSeconds(5))));

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(503);
        assertThat(response.getBody()).contains("out of time");
        assertThat(tenants.find(tenantId)).as("rolled back").isEmpty();
    }

    private static APIGatewayV2HTTPEvent apiEvent(String json) {
        try {
            return JSON.readValue(json, APIGatewayV2HTTPEvent.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
