package io.ashbysync.ops;

import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.ApiKey;
import io.ashbysync.tenant.SsmTenantSecrets;
import io.ashbysync.tenant.TenantSecrets;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Writes a tenant's secrets (SecureString parameters under {@code <prefix>/tenants/<id>/}); reading stays in {@link SsmTenantSecrets}. */
@ApplicationScoped
public class TenantSecretStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SsmClient ssm;
    private final AwsResources resources;
    private final TenantSecrets secrets;

    public TenantSecretStore(SsmClient ssm, AwsResources resources, TenantSecrets secrets) {
        this.ssm = ssm;
        this.resources = resources;
        this.secrets = secrets;
    }

    /** 32 random bytes, hex: what Ashby signs deliveries with. */
    public static String newWebhookSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public void putApiKey(String tenantId, String apiKey) {
        new ApiKey(apiKey); // refuses an empty key before anything is written
        put(SsmTenantSecrets.apiKeyParameter(resources.ssmPrefix(), tenantId), apiKey);
    }

    public void putWebhookSecret(String tenantId, String secret) {
        put(SsmTenantSecrets.webhookSecretParameter(resources.ssmPrefix(), tenantId), secret);
    }

    public void putPreviousWebhookSecret(String tenantId, String secret) {
        put(SsmTenantSecrets.previousWebhookSecretParameter(resources.ssmPrefix(), tenantId), secret);
    }

    public Optional<String> webhookSecret(String tenantId) {
        return get(SsmTenantSecrets.webhookSecretParameter(resources.ssmPrefix(), tenantId));
    }

    public void deletePreviousWebhookSecret(String tenantId) {
        delete(List.of(SsmTenantSecrets.previousWebhookSecretParameter(resources.ssmPrefix(), tenantId)));
    }

    /** Deletes every parameter under the tenant's path; returns how many there were. */
    public int deleteAll(String tenantId) {
        List<String> names = new ArrayList<>();
        ssm.getParametersByPathPaginator(r -> r.path(resources.ssmPrefix() + "/tenants/" + tenantId + "/").recursive(true))
                .forEach(page -> page.parameters().stream().map(Parameter::name).forEach(names::add));
        delete(names);
        return names.size();
    }

    private void put(String name, String value) {
        ssm.putParameter(r -> r.name(name).value(value).type(ParameterType.SECURE_STRING).overwrite(true));
        secrets.invalidate(tenantIdOf(name));
    }

    private Optional<String> get(String name) {
        try {
            return Optional.of(ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
    }

    private void delete(List<String> names) {
        for (int from = 0; from < names.size(); from += 10) {
            List<String> batch = names.subList(from, Math.min(from + 10, names.size()));
            ssm.deleteParameters(r -> r.names(batch));
        }
        names.stream().map(this::tenantIdOf).distinct().forEach(secrets::invalidate);
    }

    private String tenantIdOf(String parameterName) {
        String rest = parameterName.substring((resources.ssmPrefix() + "/tenants/").length());
        return rest.substring(0, rest.indexOf('/'));
    }
}
