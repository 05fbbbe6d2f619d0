package io.ashbysync.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.LambdaInvoker;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The `http` function (webhook route) through Quarkus' Lambda event server with API Gateway HTTP API v2 events. */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
public class WebhookRouteTest {
    public static class WebhooksProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "http");
        }
    }

    private static final byte[] PING = "{\"webhookActionId\":\"0d6f\",\"action\":\"ping\",\"data\":{\"webhookActionType\":\"ping\"}}"
            .getBytes(StandardCharsets.UTF_8);

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;

    private TestTenant tenant;
    private final String secret = "whsec-" + System.nanoTime();

    @BeforeEach
    void registerTenant() {
        tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        TestTenants.storeWebhookSecret(aws, tenant.tenantId(), secret);
    }

    private int statusOf(String tenantId, byte[] body, String signature, boolean base64) {
        Map<String, String> headers = signature == null ? Map.of("Content-Type", "application/json")
                : Map.of("Content-Type", "application/json", "Ashby-Signature", signature);
        String response = LambdaInvoker.invoke(
                LambdaEvents.httpPost("/webhooks/ashby/" + tenantId, Map.of("tenantId", tenantId), headers, body, base64));
        return JsonPath.from(response).getInt("statusCode");
    }

    @Test
    void signedPing_isAccepted() {
        assertThat(statusOf(tenant.tenantId(), PING, WebhookSignature.sign(PING, secret), false)).isEqualTo(200);
    }

    @Test
    void base64EncodedBody_isVerifiedOnItsRawBytes() {
        assertThat(statusOf(tenant.tenantId(), PING, WebhookSignature.sign(PING, secret), true)).isEqualTo(200);
    }

    @Test
    void forgedOrMissingSignature_is401() {
        assertThat(statusOf(tenant.tenantId(), PING, WebhookSignature.sign(PING, "forged"), false)).isEqualTo(401);
        assertThat(statusOf(tenant.tenantId(), PING, null, false)).isEqualTo(401);
    }

    @Test
    void anotherTenantsSecret_is401() {
        TestTenant other = TestTenants.register(aws, simulator, tenants, 60_000);
        TestTenants.storeWebhookSecret(aws, other.tenantId(), "other-secret");
        assertThat(statusOf(tenant.tenantId(), PING, WebhookSignature.sign(PING, "other-secret"), false)).isEqualTo(401);
    }

    @Test
    void unknownTenant_is404() {
        assertThat(statusOf("nobody-here", PING, WebhookSignature.sign(PING, secret), false)).isEqualTo(404);
    }

    @Test
    void signedButNotJson_is400() {
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
        assertThat(statusOf(tenant.tenantId(), garbage, WebhookSignature.sign(garbage, secret), false)).isEqualTo(400);
    }

    @Test
    void oversizedBody_is413() {
        byte[] huge = new byte[WebhookIntake.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) 'a');
        assertThat(statusOf(tenant.tenantId(), huge, WebhookSignature.sign(huge, secret), false)).isEqualTo(413);
    }
}
