package io.ashbysync.tenant;

import io.ashbysync.platform.AwsResources;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * Tenant secrets in SSM Parameter Store as SecureStrings, cached briefly: a warm Lambda makes many Ashby calls per
 * invocation and should not pay an SSM round trip for each, yet a rotated key must take effect within minutes.
 */
@ApplicationScoped
public class SsmTenantSecrets implements TenantSecrets {
    @ConfigMapping(prefix = "ashby-sync.secrets")
    public interface SecretsConfig {
        @WithDefault("5m")
        Duration cacheTtl();
    }

    private record Cached<T>(T value, Instant expiresAt) {}

    private final SsmClient ssm;
    private final AwsResources resources;
    private final SecretsConfig config;
    private final Clock clock;
    private final ConcurrentMap<String, Cached<ApiKey>> apiKeys = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Cached<List<String>>> webhookSecrets = new ConcurrentHashMap<>();

    public SsmTenantSecrets(SsmClient ssm, AwsResources resources, SecretsConfig config) {
        this.ssm = ssm;
        this.resources = resources;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    public static String apiKeyParameter(String ssmPrefix, String tenantId) {
        return ssmPrefix + "/tenants/" + tenantId + "/ashby-api-key";
    }

    public static String webhookSecretParameter(String ssmPrefix, String tenantId) {
        return ssmPrefix + "/tenants/" + tenantId + "/webhook-secret";
    }

    /** Holds the old secret while Ashby's webhooks are moved to the new one. */
    public static String previousWebhookSecretParameter(String ssmPrefix, String tenantId) {
        return webhookSecretParameter(ssmPrefix, tenantId) + "-previous";
    }

    @Override
    public ApiKey apiKey(String tenantId) {
        return cached(apiKeys, tenantId, () -> {
            String name = apiKeyParameter(resources.ssmPrefix(), tenantId);
            try {
                return new ApiKey(ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value());
            } catch (ParameterNotFoundException e) {
                throw new TenantNotFoundException(tenantId, "Ashby API key (SSM parameter " + name + ")");
            }
        });
    }

    @Override
    public List<String> webhookSecrets(String tenantId) {
        return cached(webhookSecrets, tenantId, () -> {
            String current = webhookSecretParameter(resources.ssmPrefix(), tenantId);
            String previous = previousWebhookSecretParameter(resources.ssmPrefix(), tenantId);
            Map<String, String> found = new HashMap<>();
            ssm.getParameters(r -> r.names(current, previous).withDecryption(true)).parameters()
                    .forEach(p -> found.put(p.name(), p.value()));
            return Stream.of(found.get(current), found.get(previous)).filter(v -> v != null && !v.isBlank()).toList();
        });
    }

    private <T> T cached(ConcurrentMap<String, Cached<T>> cache, String tenantId, Supplier<T> load) {
        Instant now = clock.instant();
        Cached<T> hit = cache.get(tenantId);
        if (hit != null && now.isBefore(hit.expiresAt())) {
            return hit.value();
        }
        T value = load.get();
        cache.put(tenantId, new Cached<>(value, now.plus(config.cacheTtl())));
        return value;
    }

    @Override
    public void invalidate(String tenantId) {
        apiKeys.remove(tenantId);
        webhookSecrets.remove(tenantId);
    }
}
