package io.ashbysync.tenant;

import java.util.Objects;

/**
 * A tenant's settings, stored in the tenants table. The Ashby key is not here: it lives in the secret store.
 *
 * @param requestsPerMinute the tenant's Ashby request budget per sliding minute (Ashby publishes no number)
 */
public record TenantConfig(String tenantId, TenantStatus status, int requestsPerMinute) {
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 1_000;

    public TenantConfig {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(status, "status");
        if (!TenantIds.isValid(tenantId)) {
            throw new IllegalArgumentException("tenantId '" + tenantId + "' is not valid: " + TenantIds.RULE);
        }
        if (requestsPerMinute < 1) {
            throw new IllegalArgumentException("requestsPerMinute must be at least 1, was " + requestsPerMinute);
        }
    }

    public static TenantConfig active(String tenantId) {
        return new TenantConfig(tenantId, TenantStatus.ACTIVE, DEFAULT_REQUESTS_PER_MINUTE);
    }

    public TenantConfig withRequestsPerMinute(int perMinute) {
        return new TenantConfig(tenantId, status, perMinute);
    }
}
