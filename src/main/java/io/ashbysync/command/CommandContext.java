package io.ashbysync.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.idempotency.IdempotencyStore;
import io.ashbysync.tenant.TenantConfig;

/**
 * What a {@link CommandHandler} works with: the command, the tenant, an Ashby session, and the saved progress of
 * earlier attempts. {@link #wrote} is called after every Ashby write: it saves the progress so a crash after it
 * resumes past that write.
 */
public final class CommandContext {
    private final CommandEnvelope command;
    private final TenantConfig tenant;
    private final AshbySession ashby;
    private final ObjectNode progress;
    private final IdempotencyStore idempotency;
    private final StepProbe probe;
    private boolean resultDeferred;

    CommandContext(CommandEnvelope command, TenantConfig tenant, AshbySession ashby, ObjectNode progress,
                   IdempotencyStore idempotency, StepProbe probe) {
        this.command = command;
        this.tenant = tenant;
        this.ashby = ashby;
        this.progress = progress;
        this.idempotency = idempotency;
        this.probe = probe;
    }

    public CommandEnvelope command() { return command; }

    public TenantConfig tenant() { return tenant; }

    public AshbySession ashby() { return ashby; }

    /** Mutable: record what was done, then call {@link #wrote} or {@link #save}. */
    public ObjectNode progress() { return progress; }

    /** After an Ashby write: saves the progress that records it. */
    public void wrote(String step) {
        probe.afterAshbyWrite(command.type(), step);
        save();
    }

    /**
     * For work that continues elsewhere (bulk chunks on the work queue): the processor stores the handler's output as
     * the record's interim result but publishes nothing; the handler's own code publishes the one
     * {@code command.result} when the work ends (see {@code io.ashbysync.application.RejectionJobs}).
     */
    public void deferResult() {
        resultDeferred = true;
    }

    boolean resultDeferred() {
        return resultDeferred;
    }

    /** Saves the progress, e.g. an intent recorded before a write whose outcome must be checked after a crash. */
    public void save() {
        idempotency.saveProgress(command.tenantId(), command.commandId(), progress);
    }
}
