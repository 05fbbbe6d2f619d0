package io.ashbysync.tenant;

import io.ashbysync.platform.AwsResources;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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

    private record Cached(ApiKey key, Instant expiresAt) {}

    private final SsmClient ssm;
    private final AwsResources resources;
    private final SecretsConfig config;
    private final Clock clock;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    public SsmTenantSecrets(SsmClient ssm, AwsResources resources, SecretsConfig config) {
        this.ssm = ssm;
        this.resources = resources;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    public static String apiKeyParameter(String ssmPrefix, String tenantId) {
        return ssmPrefix + "/tenants/" + tenantId + "/ashby-api-key";
    }

    @Override
    public ApiKey apiKey(String tenantId) {
        Instant now = clock.instant();
        Cached cached = cache.get(tenantId);
        if (cached != null && now.isBefore(cached.expiresAt())) {
            return cached.key();
        }
        String name = apiKeyParameter(resources.ssmPrefix(), tenantId);
        try {
            String value = ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
            ApiKey key = new ApiKey(value);
            cache.put(tenantId, new Cached(key, now.plus(config.cacheTtl())));
            return key;
        } catch (ParameterNotFoundException e) {
            throw new TenantNotFoundException(tenantId, "Ashby API key (SSM parameter " + name + ")");
        }
    }

    @Override
    public void invalidate(String tenantId) {
        cache.remove(tenantId);
    }
}
