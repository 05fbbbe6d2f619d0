package io.ashbysync.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStatus;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The `poller` function through Quarkus' Lambda event server with a scheduled event. */
@QuarkusTest
@TestProfile(PollerHandlerTest.PollerProfile.class)
class PollerHandlerTest {
    public static class PollerProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.lambda.handler", "poller");
        }
    }

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;

    @Test
    void scheduledPass_visitsEveryActiveTenantAndOneFailureDoesNotStopTheOthers() {
        TestTenant healthy = TestTenants.register(aws, simulator, tenants, 60_000);
        TestTenant brokenKey = TestTenants.register(aws, simulator, tenants, 60_000);
        brokenKey.organization().deactivateApiKey();
        TestTenant paused = TestTenants.register(aws, simulator, tenants, 60_000);
        tenants.save(new TenantConfig(paused.tenantId(), TenantStatus.PAUSED, 60_000));

        JsonPath summary = JsonPath.from(LambdaInvoker.invoke(LambdaEvents.scheduled()));

        assertThat(summary.getList("polledTenants", String.class)).contains(healthy.tenantId()).doesNotContain(paused.tenantId(), brokenKey.tenantId());
        assertThat(summary.getList("failedTenants", String.class)).contains(brokenKey.tenantId());
        assertThat(simulator.requestCount(healthy.apiKey())).isEqualTo(1);
        assertThat(simulator.requestCount(paused.apiKey())).isZero();
    }
}
