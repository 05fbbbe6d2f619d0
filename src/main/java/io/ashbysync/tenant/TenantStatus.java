package io.ashbysync.tenant;

/** ACTIVE syncs both ways; PAUSED is a read-only kill switch; DISABLED does nothing. */
public enum TenantStatus { ACTIVE, PAUSED, DISABLED }
