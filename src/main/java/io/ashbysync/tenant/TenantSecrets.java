package io.ashbysync.tenant;

/** Where each tenant's secrets live. One small interface so the store can change without touching callers. */
public interface TenantSecrets {
    /** @throws TenantNotFoundException when no key is stored for the tenant */
    ApiKey apiKey(String tenantId);

    /**
     * The secrets a webhook delivery for this tenant may be signed with: the current one and, during a rotation,
     * the previous one. Empty when the tenant has none.
     */
    java.util.List<String> webhookSecrets(String tenantId);

    /** Forget any cached copy, e.g. after Ashby refused the key, so a rotated key takes effect at once. */
    void invalidate(String tenantId);
}
