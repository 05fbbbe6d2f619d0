package io.ashbysync.tenant;

/**
 * ACTIVE syncs both ways. PAUSED is the read-only kill switch: Ashby is still read (the poller and webhooks keep the
 * mirror current, Findem keeps receiving changes) but nothing is written to it: commands, and work they queued
 * before the pause, are refused with {@code tenant_not_active}. DISABLED does nothing (onboarding, offboarding).
 */
public enum TenantStatus {
    ACTIVE, PAUSED, DISABLED;

    /** Whether the tenant's mirror is kept current from Ashby. */
    public boolean mirrorsAshby() {
        return this != DISABLED;
    }

    /** Whether anything may be written to the tenant's Ashby. */
    public boolean writesToAshby() {
        return this == ACTIVE;
    }
}
