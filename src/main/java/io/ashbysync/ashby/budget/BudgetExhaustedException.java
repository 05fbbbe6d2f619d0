package io.ashbysync.ashby.budget;

import java.time.Duration;

/** The tenant's request budget stayed used up for longer than a caller may wait. */
public class BudgetExhaustedException extends RuntimeException {
    public BudgetExhaustedException(String tenantId, Duration waited) {
        super("tenant '" + tenantId + "' Ashby request budget stayed exhausted for " + waited.toSeconds() + " s");
    }
}
