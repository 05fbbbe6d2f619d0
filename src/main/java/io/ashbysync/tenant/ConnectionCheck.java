package io.ashbysync.tenant;

import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.model.ApiKeyInfo;
import jakarta.enterprise.context.ApplicationScoped;

/** Proves a tenant is wired end to end: config row, key in the secret store, and a key Ashby accepts. */
@ApplicationScoped
public class ConnectionCheck {
    private final TenantStore tenants;
    private final AshbyClient ashby;

    public ConnectionCheck(TenantStore tenants, AshbyClient ashby) {
        this.tenants = tenants;
        this.ashby = ashby;
    }

    public ApiKeyInfo check(String tenantId) {
        return check(tenants.get(tenantId));
    }

    public ApiKeyInfo check(TenantConfig tenant) {
        return ashby.forTenant(tenant).call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);
    }
}
