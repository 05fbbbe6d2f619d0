package io.ashbysync.tenant;

/** The tenant is not registered (no config row or no stored key). */
public class TenantNotFoundException extends RuntimeException {
    public TenantNotFoundException(String tenantId, String what) {
        super("tenant '" + tenantId + "' has no " + what);
    }
}
