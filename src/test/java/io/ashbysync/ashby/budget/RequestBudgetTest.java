package io.ashbysync.ashby.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.AshbyApi;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyConfig;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.ApiKeyInfo;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.tenant.TenantSecrets;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.Test;

/**
 * The budget across threads and across instances: two clients with their own {@link LeasedRequestBudget} (two
 * Lambda instances) share one DynamoDB lease item in moto. The test profile shortens the window to 2 s
 * ({@code ashby.budget.window}) so several windows pass in a few seconds; the algorithm does not depend on its length.
 */
@QuarkusTest
class RequestBudgetTest {
    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    @RestClient
    AshbyApi api;
    @Inject
    AshbyClient client;
    @Inject
    TenantStore tenants;
    @Inject
    TenantSecrets secrets;
    @Inject
    BudgetLeaseStore leaseStore;
    @Inject
    AshbyConfig config;
    @Inject
    ObjectMapper mapper;

    @Test
    void concurrentCallersOnTwoInstances_neverExceedTheBudgetInAnyWindow() throws Exception {
        int perMinute = 600;
        int perWindow = (int) (perMinute * config.budget().window().toMillis() / 60_000);
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, perMinute);
        AshbyClient secondInstance = new AshbyClient(api, secrets, new LeasedRequestBudget(leaseStore, config),
                new PartnerThrottle(), config, mapper, 5000, 2500);
        List<AshbySession> instances = List.of(client.forTenant(tenant.config()), secondInstance.forTenant(tenant.config()));
        int requests = perWindow * 4;
        warmUp(List.of(client, secondInstance));

        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<ApiKeyInfo>> calls = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                AshbySession instance = instances.get(i % 2);
                calls.add(callers.submit(() -> instance.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class)));
            }
            for (Future<ApiKeyInfo> call : calls) {
                assertThat(call.get().scopes()).isNotEmpty();
            }
        } finally {
            callers.shutdownNow();
        }

        assertThat(simulator.requestCount(tenant.apiKey())).isEqualTo(requests);
        List<Instant> arrivals = simulator.requestLog("apiKey.info").stream().filter(r -> tenant.apiKey().equals(r.apiKey()))
                .map(io.ashbysync.ashby.simulator.RequestRecord::receivedAt).sorted().toList();
        assertThat(simulator.maxRequestsInAnySlidingWindow(tenant.apiKey(), config.budget().window()))
                .as(() -> "requests Ashby saw in any " + config.budget().window() + " window, budget " + perWindow + "; arrivals (ms): "
                        + arrivals.stream().map(a -> Long.toString(Duration.between(arrivals.getFirst(), a).toMillis())).toList())
                .isLessThanOrEqualTo(perWindow)
                .as("the budget is used, not left idle")
                .isGreaterThanOrEqualTo(perWindow / 2);
    }

    /**
     * A cold client thread can take over a second between its permit and its request reaching Ashby, longer than
     * the test's shortened lease and margin; warming both instances on another tenant keeps that out of the window.
     */
    private void warmUp(List<AshbyClient> clients) throws Exception {
        TestTenant other = TestTenants.register(aws, simulator, tenants, 60_000);
        ExecutorService warm = Executors.newFixedThreadPool(8);
        try {
            List<Future<ApiKeyInfo>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                AshbySession session = clients.get(i % 2).forTenant(other.config());
                calls.add(warm.submit(() -> session.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class)));
            }
            for (Future<ApiKeyInfo> call : calls) call.get();
        } finally {
            warm.shutdownNow();
        }
    }

    @Test
    void leaseStore_grantsUpToTheLimitThenSaysWhenCapacityFrees() {
        String tenantId = "budget-" + System.nanoTime();
        Duration horizon = Duration.ofSeconds(10);
        Instant now = Instant.now();

        var first = (BudgetLeaseStore.Granted) leaseStore.lease(tenantId, 6, 10, horizon, now, null);
        var second = (BudgetLeaseStore.Granted) leaseStore.lease(tenantId, 6, 10, horizon, now.plusMillis(1), null);
        var exhausted = (BudgetLeaseStore.Exhausted) leaseStore.lease(tenantId, 6, 10, horizon, now.plusMillis(2), null);

        assertThat(first.count()).isEqualTo(6);
        assertThat(second.count()).as("only what is left of the limit").isEqualTo(4);
        assertThat(exhausted.retryAt()).isAfter(now.plus(horizon));

        var afterGiveBack = leaseStore.lease(tenantId, 6, 10, horizon, now.plusMillis(3), new BudgetLeaseStore.Unused(first.grantId(), 5));
        assertThat(afterGiveBack).isInstanceOfSatisfying(BudgetLeaseStore.Granted.class, g -> assertThat(g.count()).isEqualTo(5));

        var afterHorizon = leaseStore.lease(tenantId, 6, 10, horizon, now.plus(horizon).plusSeconds(1), null);
        assertThat(afterHorizon).isInstanceOfSatisfying(BudgetLeaseStore.Granted.class, g -> assertThat(g.count()).isEqualTo(6));
    }
}
