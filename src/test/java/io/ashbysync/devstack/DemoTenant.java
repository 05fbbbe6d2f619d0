package io.ashbysync.devstack;

import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator.SeededTenant;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.SsmTenantSecrets;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.LocalAws;
import java.security.SecureRandom;
import java.util.HexFormat;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The tenant the dev stack runs with, registered as onboarding will: an organization in the simulator seeded with
 * realistic data, its API key and a webhook secret in SSM, an ACTIVE config row. The secrets stay in this process
 * (the webhook secret signs the demo's webhooks, the API key registers them with the simulator); only their SSM
 * locations are shown.
 */
record DemoTenant(String tenantId, String apiKey, String apiKeyParameter, String webhookSecretParameter,
                  String webhookSecret, SimulatedOrganization organization, SeededTenant seeded, int candidates) {
    static final String TENANT_ID = "demo";
    /** Same data on every run, so a developer sees the same candidates again. */
    private static final long SEED = 42;

    static DemoTenant register(LocalAws aws, AshbySimulator simulator, int candidates, int requestsPerMinute) {
        String apiKey = "demo_" + randomHex();
        String webhookSecret = randomHex();
        SimulatedOrganization organization = simulator.createOrganization(apiKey);
        SeededTenant seeded = SeededTenantGenerator.seed(SEED).candidates(candidates).generate(organization);
        String apiKeyParameter = SsmTenantSecrets.apiKeyParameter(aws.ssmPrefix(), TENANT_ID);
        String webhookSecretParameter = SsmTenantSecrets.webhookSecretParameter(aws.ssmPrefix(), TENANT_ID);
        putSecureString(aws, apiKeyParameter, apiKey);
        putSecureString(aws, webhookSecretParameter, webhookSecret);
        new TenantStore(aws.dynamoDb(), stackResources(aws), new Quarantine(aws.dynamoDb(), stackResources(aws))).save(TenantConfig.active(TENANT_ID).withRequestsPerMinute(requestsPerMinute));
        return new DemoTenant(TENANT_ID, apiKey, apiKeyParameter, webhookSecretParameter, webhookSecret, organization, seeded,
                candidates);
    }

    /** The tenant against a real Ashby account: its key in SSM as onboarding stores it; no seeded data, no webhooks. */
    static DemoTenant registerRealAccount(LocalAws aws, String apiKey, int requestsPerMinute) {
        String webhookSecret = randomHex();
        String apiKeyParameter = SsmTenantSecrets.apiKeyParameter(aws.ssmPrefix(), TENANT_ID);
        String webhookSecretParameter = SsmTenantSecrets.webhookSecretParameter(aws.ssmPrefix(), TENANT_ID);
        putSecureString(aws, apiKeyParameter, apiKey);
        putSecureString(aws, webhookSecretParameter, webhookSecret);
        new TenantStore(aws.dynamoDb(), stackResources(aws), new Quarantine(aws.dynamoDb(), stackResources(aws))).save(TenantConfig.active(TENANT_ID).withRequestsPerMinute(requestsPerMinute));
        return new DemoTenant(TENANT_ID, apiKey, apiKeyParameter, webhookSecretParameter, webhookSecret, null, null, 0);
    }

    private static void putSecureString(LocalAws aws, String name, String value) {
        aws.ssm().putParameter(r -> r.name(name).value(value).type(ParameterType.SECURE_STRING).overwrite(true));
    }

    /** The product's own TenantStore writes the config row, so the row has exactly the shape the functions read. */
    private static AwsResources stackResources(LocalAws aws) {
        return new StackResources(aws.tableName("TenantsTable"), aws.tableName("IdentityTable"),
                aws.tableName("IdempotencyTable"), aws.tableName("MirrorTable"), aws.queueUrl("CommandsQueue"),
                aws.queueUrl("WorkQueue"), aws.queueUrl("EventsQueue"), aws.ssmPrefix());
    }

    record StackResources(String tenantsTable, String identityTable, String idempotencyTable, String mirrorTable,
                                  String commandsQueueUrl, String workQueueUrl, String eventsQueueUrl, String ssmPrefix)
            implements AwsResources {}

    private static String randomHex() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
