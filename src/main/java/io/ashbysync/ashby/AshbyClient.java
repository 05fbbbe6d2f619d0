package io.ashbysync.ashby;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.budget.PartnerThrottle;
import io.ashbysync.ashby.budget.RequestBudget;
import io.ashbysync.tenant.ApiKey;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantSecrets;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * The one Ashby client, shared by the three functions. {@link #forTenant} returns a session that authenticates with
 * the tenant's key, spends the tenant's request budget and applies the retry rules:
 * reads are retried on 429, 5xx and transport failures; writes only when Ashby cannot have applied them (429, or a
 * connection refused before anything was sent).
 */
@ApplicationScoped
public class AshbyClient {
    private static final Logger LOG = Logger.getLogger(AshbyClient.class);

    final AshbyApi api;
    final TenantSecrets secrets;
    final RequestBudget budget;
    final PartnerThrottle partnerThrottle;
    final AshbyConfig config;
    final ObjectMapper mapper;
    final AshbyResponseDecoder decoder;
    final Guard readGuard;
    final Guard writeGuard;
    /** The longest one request can take by the REST client's own timeouts (connect, then read). */
    final Duration callTimeout;

    public AshbyClient(@RestClient AshbyApi api, TenantSecrets secrets, RequestBudget budget,
                       PartnerThrottle partnerThrottle, AshbyConfig config, ObjectMapper mapper,
                       @ConfigProperty(name = "quarkus.rest-client.ashby.connect-timeout") long connectTimeoutMillis,
                       @ConfigProperty(name = "quarkus.rest-client.ashby.read-timeout") long readTimeoutMillis) {
        this.api = api;
        this.secrets = secrets;
        this.budget = budget;
        this.partnerThrottle = partnerThrottle;
        this.config = config;
        this.mapper = mapper;
        this.decoder = new AshbyResponseDecoder(mapper);
        this.callTimeout = Duration.ofMillis(connectTimeoutMillis + readTimeoutMillis);
        this.readGuard = guard("ashby-read", e -> e instanceof AshbyException a && a.retryable());
        this.writeGuard = guard("ashby-write", e -> e instanceof AshbyException a && a.safeToRetryWrite());
    }

    public AshbySession forTenant(TenantConfig tenant) {
        return new AshbySession(this, tenant, null);
    }

    /** A session with a key that is not stored yet (onboarding, key rotation), to check it before storing it. */
    public AshbySession withCandidateKey(TenantConfig tenant, ApiKey key) {
        return new AshbySession(this, tenant, null, key);
    }

    private Guard guard(String name, java.util.function.Predicate<Throwable> retryWhen) {
        AshbyConfig.Retry retry = config.retry();
        return Guard.create()
                .withDescription(name)
                .withRetry()
                    .maxRetries(retry.maxRetries())
                    .delay(retry.initialDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(0, ChronoUnit.MILLIS)
                    .maxDuration(retry.maxDuration().toMillis(), ChronoUnit.MILLIS)
                    .whenException(retryWhen)
                    .beforeRetry((Throwable cause) -> LOG.warnf("retrying Ashby call after %s", cause.getMessage()))
                    .withCustomBackoff()
                        .strategy(() -> new AshbyBackoff(retry.initialDelay().toMillis(), retry.maxDelay().toMillis()))
                        .done()
                    .done()
                .build();
    }
}
