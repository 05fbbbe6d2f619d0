package io.ashbysync.testing;

import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.tenant.SsmTenantSecrets;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStatus;
import io.ashbysync.tenant.TenantStore;
import java.util.UUID;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Registers a fresh tenant the way onboarding will: a config row, the key in SSM, an organization in the simulator. */
public final class TestTenants {
    public record TestTenant(TenantConfig config, String apiKey, SimulatedOrganization organization) {
        public String tenantId() {
            return config.tenantId();
        }
    }

    private TestTenants() {}

    public static TestTenant register(LocalAws aws, AshbySimulator simulator, TenantStore tenants, int requestsPerMinute) {
        String tenantId = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String apiKey = "key_" + UUID.randomUUID().toString().replace("-", "");
        SimulatedOrganization organization = simulator.createOrganization(apiKey);
        aws.ssm().putParameter(r -> r.name(SsmTenantSecrets.apiKeyParameter(aws.ssmPrefix(), tenantId))
                .value(apiKey).type(ParameterType.SECURE_STRING).overwrite(true));
        TenantConfig config = new TenantConfig(tenantId, TenantStatus.ACTIVE, requestsPerMinute);
        tenants.save(config);
        return new TestTenant(config, apiKey, organization);
    }

    public static void storeWebhookSecret(LocalAws aws, String tenantId, String secret) {
        aws.ssm().putParameter(r -> r.name(SsmTenantSecrets.webhookSecretParameter(aws.ssmPrefix(), tenantId))
                .value(secret).type(ParameterType.SECURE_STRING).overwrite(true));
    }
}
