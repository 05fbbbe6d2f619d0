package io.ashbysync.tenant;

/** A stored tenant config row that cannot be used; names the tenant and the field. */
public class InvalidTenantConfigException extends RuntimeException {
    public InvalidTenantConfigException(String tenantId, String field, String problem) {
        super("tenant '" + tenantId + "' config field '" + field + "' " + problem);
    }
}
