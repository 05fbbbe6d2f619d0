package io.ashbysync.ashby.budget;

/** Permission to send one request to Ashby on a tenant's behalf, within that tenant's per-minute budget. */
public interface RequestBudget {
    /**
     * Blocks until a request may be sent.
     *
     * @throws BudgetExhaustedException when no permit comes within the configured maximum wait
     * @throws io.ashbysync.platform.Deadline.Exceeded when none comes before the invocation's deadline
     */
    void acquire(String tenantId, int requestsPerMinute);
}
