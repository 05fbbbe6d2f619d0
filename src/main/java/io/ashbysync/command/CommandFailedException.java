package io.ashbysync.command;

import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStatus;

/** A command that failed for good, with a stable error code for Findem (e.g. {@code job_not_found}). */
public class CommandFailedException extends RuntimeException {
    private final String code;

    public CommandFailedException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The answer to a write asked of a tenant that is not ACTIVE (paused: the kill switch; disabled). */
    public static CommandFailedException tenantNotActive(TenantConfig tenant) {
        return new CommandFailedException("tenant_not_active", "tenant '" + tenant.tenantId() + "' is " + tenant.status()
                + (tenant.status() == TenantStatus.PAUSED ? ": nothing is written to Ashby until an operator resumes it" : ""));
    }

    public String code() {
        return code;
    }
}
