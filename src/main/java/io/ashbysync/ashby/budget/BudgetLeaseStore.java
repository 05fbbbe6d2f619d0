package io.ashbysync.ashby.budget;

import java.time.Duration;
import java.time.Instant;

/** Shared record of the permits granted per tenant, so that every instance draws from one budget. */
public interface BudgetLeaseStore {
    /**
     * Grants up to {@code wanted} permits if fewer than {@code limit} were granted within the last {@code horizon};
     * first gives back the unused permits of the caller's previous grant.
     */
    Lease lease(String tenantId, int wanted, int limit, Duration horizon, Instant now, Unused giveBack);

    /** Permits of an earlier grant that were never used: they no longer count against the window. */
    record Unused(String grantId, int count) {}

    sealed interface Lease {}

    record Granted(String grantId, int count) implements Lease {}

    /** Nothing left; capacity frees up at {@code retryAt}. */
    record Exhausted(Instant retryAt) implements Lease {}
}
