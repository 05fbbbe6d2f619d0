package io.ashbysync.command;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.model.ApiKeyInfo;
import io.ashbysync.tenant.ConnectionCheck;
import io.ashbysync.tenant.TenantNotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Decodes a command message and runs it. Input that can never succeed (invalid envelope, unknown type, unknown
 * tenant, a key Ashby refuses) is answered and consumed; anything transient is thrown so SQS retries it.
 */
@ApplicationScoped
public class CommandProcessor {
    static final String CONNECTION_CHECK = "connection.check";
    private static final Logger LOG = Logger.getLogger(CommandProcessor.class);

    private final ObjectMapper mapper;
    private final ConnectionCheck connectionCheck;

    public CommandProcessor(ObjectMapper mapper, ConnectionCheck connectionCheck) {
        this.mapper = mapper;
        this.connectionCheck = connectionCheck;
    }

    public void process(SQSEvent.SQSMessage message) {
        CommandEnvelope command;
        try {
            command = CommandEnvelope.parse(message.getBody(), mapper);
        } catch (InvalidCommandException e) {
            LOG.errorf("rejected command message: %s", e.getMessage());
            return;
        }
        MDC.put("tenantId", command.tenantId());
        MDC.put("commandId", command.commandId());
        try {
            run(command);
        } catch (InvalidCommandException | TenantNotFoundException e) {
            LOG.errorf("command %s failed for good: %s", command.type(), e.getMessage());
        } catch (AshbyException e) {
            if (e.retryable()) {
                throw e;
            }
            LOG.errorf("command %s failed for good: %s", command.type(), e.getMessage());
        } finally {
            MDC.remove("tenantId");
            MDC.remove("commandId");
        }
    }

    private void run(CommandEnvelope command) {
        switch (command.type()) {
            case CONNECTION_CHECK -> {
                ApiKeyInfo info = connectionCheck.check(command.tenantId());
                LOG.infof("connection check passed: key '%s' has scopes %s", info.title(), info.scopes());
            }
            default -> throw new InvalidCommandException("type", "'" + command.type() + "' is not a known command type");
        }
    }
}
