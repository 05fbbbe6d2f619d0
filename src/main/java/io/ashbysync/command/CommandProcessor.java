package io.ashbysync.command;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.idempotency.IdempotencyStore;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import io.ashbysync.platform.Metrics;
import io.ashbysync.platform.Sha256;
import io.ashbysync.tenant.InvalidTenantConfigException;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantNotFoundException;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs one command message exactly once in effect, and answers it with exactly one {@code command.result} event.
 *
 * <ol>
 *   <li>Parse the envelope; a message that cannot be parsed is answered (when it names a tenant and command id) and
 *   consumed.</li>
 *   <li>Take the command's idempotency record: a completed command re-sends its stored result if it was never
 *   delivered; one in progress elsewhere goes back to the queue; a reused id with another payload is refused.</li>
 *   <li>Validate, then execute with the progress of earlier attempts; save the result, publish it, mark it
 *   delivered.</li>
 * </ol>
 * Definite failures (invalid input, Ashby said no, missing permission) end the command with a {@code failed}
 * result. Transient ones (Ashby unavailable or throttling past the retries, a write whose outcome is unknown, AWS
 * errors) release the lease and go back to the queue; the last attempt also reports the failure to Findem.
 */
@ApplicationScoped
public class CommandProcessor {
    public static final String RESULT_EVENT = "command.result";
    private static final Logger LOG = Logger.getLogger(CommandProcessor.class);

    private final ObjectMapper mapper;
    private final TenantStore tenants;
    private final AshbyClient ashby;
    private final IdempotencyStore idempotency;
    private final EventPublisher events;
    private final StepProbe probe;
    private final CommandsConfig config;
    private final Map<String, CommandHandler> handlers = new HashMap<>();

    public CommandProcessor(ObjectMapper mapper, TenantStore tenants, AshbyClient ashby, IdempotencyStore idempotency,
                            EventPublisher events, StepProbe probe, CommandsConfig config, Instance<CommandHandler> handlers) {
        this.mapper = mapper;
        this.tenants = tenants;
        this.ashby = ashby;
        this.idempotency = idempotency;
        this.events = events;
        this.probe = probe;
        this.config = config;
        for (CommandHandler handler : handlers) {
            if (this.handlers.put(handler.type(), handler) != null) {
                throw new IllegalStateException("two command handlers for type " + handler.type());
            }
        }
    }

    /** Thrown to send a message back to the queue while another delivery of it holds the lease. */
    public static class CommandInProgressException extends RuntimeException {
        CommandInProgressException(String commandId, Instant leaseUntil) {
            super("command " + commandId + " is being processed by another delivery until " + leaseUntil);
        }
    }

    public void process(SQSEvent.SQSMessage message, Duration remainingTime) throws Exception {
        CommandEnvelope command;
        try {
            command = CommandEnvelope.parse(message.getBody(), mapper);
        } catch (InvalidCommandException e) {
            answerUnparsable(message.getBody(), e);
            return;
        }
        MDC.put("tenantId", command.tenantId());
        MDC.put("commandId", command.commandId());
        try {
            run(command, receiveCount(message), remainingTime);
        } finally {
            MDC.remove("tenantId");
            MDC.remove("commandId");
        }
    }

    /**
     * A command that goes back to the queue without having run (no time left in the invocation, or an earlier
     * command of its group failed). On its last receive it would reach the dead-letter queue unanswered: it is
     * answered {@code retries_exhausted} instead, as a command that failed its last attempt is.
     */
    public void notStarted(SQSEvent.SQSMessage message, String why) {
        int receiveCount = receiveCount(message);
        if (receiveCount < config.maxReceiveCount()) return;
        CommandEnvelope command;
        try {
            command = CommandEnvelope.parse(message.getBody(), mapper);
        } catch (InvalidCommandException unparsable) {
            answerUnparsable(message.getBody(), unparsable);
            return;
        }
        LOG.errorf("command %s goes to the dead-letter queue without its last attempt: %s", command.commandId(), why);
        answerExhausted(command, "not attempted on its last delivery (" + receiveCount + "): " + why);
    }

    /** The one result of a command that reaches the dead-letter queue. */
    private void answerExhausted(CommandEnvelope command, String why) {
        events.publish(resultEvent("result-" + command.commandId() + "-exhausted", command.tenantId(), command.commandId(),
                failed(command, "retries_exhausted", why, null)));
    }

    private void run(CommandEnvelope command, int receiveCount, Duration remainingTime) throws Exception {
        Instant now = Instant.now();
        Duration lease = remainingTime.compareTo(config.minimumLease()) > 0 ? remainingTime : config.minimumLease();
        IdempotencyStore.Begin begin = idempotency.begin(command.tenantId(), command.commandId(), payloadHash(command),
                now, lease, config.idempotencyRetention());
        switch (begin) {
            case IdempotencyStore.AlreadyCompleted done -> {
                LOG.infof("command %s already completed; %s", command.commandId(), done.resultDelivered() ? "result already delivered" : "delivering its result");
                if (!done.resultDelivered()) deliver(command, done.result());
            }
            case IdempotencyStore.InProgressElsewhere busy -> throw new CommandInProgressException(command.commandId(), busy.leaseUntil());
            case IdempotencyStore.PayloadMismatch mismatch -> events.publish(resultEvent(UUID.randomUUID().toString(), command.tenantId(),
                    command.commandId(), CommandResult.failed(mapper, command.type(), command.commandId(), command.requestedBy().email(),
                            "command_id_reused", "commandId " + command.commandId() + " was already used for a different command", "commandId")));
            case IdempotencyStore.Started started -> {
                ObjectNode result;
                try {
                    Executed executed = execute(command, started.progress());
                    if (executed.resultDeferred()) {
                        // The work goes on elsewhere and publishes the result itself; a redelivery must not run it again.
                        idempotency.completeIfInProgress(command.tenantId(), command.commandId(),
                                CommandResult.succeeded(mapper, command, executed.output()));
                        return;
                    }
                    result = CommandResult.succeeded(mapper, command, executed.output());
                } catch (InvalidCommandException e) {
                    result = failed(command, "invalid_payload", e.getMessage(), e.field());
                } catch (CommandFailedException e) {
                    result = failed(command, e.code(), e.getMessage(), null);
                } catch (TenantNotFoundException e) {
                    result = failed(command, "tenant_not_configured", e.getMessage(), null);
                } catch (InvalidTenantConfigException e) {
                    result = failed(command, "tenant_config_invalid", e.getMessage(), null);
                } catch (AshbyException e) {
                    if (e.retryable() || e instanceof AshbyException.WriteOutcomeUnknown) {
                        throw retryLater(command, receiveCount, e);
                    }
                    result = failed(command, codeFor(e), e.getMessage(), null);
                } catch (Exception e) {
                    throw retryLater(command, receiveCount, e);
                }
                try {
                    idempotency.complete(command.tenantId(), command.commandId(), result);
                } catch (RuntimeException e) {
                    // released, so the redelivery runs it again from its progress at once, not after this attempt's lease
                    throw retryLater(command, receiveCount, e);
                }
                Metrics.commandOutcome(command.tenantId(), command.type(), result.path("status").asText());
                deliver(command, result);
            }
        }
    }

    private record Executed(ObjectNode output, boolean resultDeferred) {}

    private Executed execute(CommandEnvelope command, ObjectNode progress) throws Exception {
        CommandHandler handler = handlers.get(command.type());
        if (handler == null) {
            throw new CommandFailedException("unknown_command_type", "'" + command.type() + "' is not a known command type");
        }
        Optional<TenantConfig> tenant = tenants.find(command.tenantId());
        if (tenant.isEmpty()) {
            throw new CommandFailedException("tenant_not_found", "tenant '" + command.tenantId() + "' is not registered");
        }
        if (!tenant.get().status().writesToAshby()) throw CommandFailedException.tenantNotActive(tenant.get());
        handler.validate(command);
        CommandContext context = new CommandContext(command, tenant.get(), ashby.forTenant(tenant.get()), progress, idempotency, probe);
        ObjectNode output = handler.execute(context);
        return new Executed(output, context.resultDeferred());
    }

    private Exception retryLater(CommandEnvelope command, int receiveCount, Exception cause) {
        idempotency.release(command.tenantId(), command.commandId(), "attempt " + receiveCount + ": " + cause.getMessage(), Instant.now());
        Metrics.commandOutcome(command.tenantId(), command.type(), "retried");
        if (receiveCount >= config.maxReceiveCount()) {
            LOG.errorf("command %s failed on its last attempt (%d) and goes to the dead-letter queue: %s", command.commandId(), receiveCount, cause.getMessage());
            answerExhausted(command, "gave up after " + receiveCount + " attempts: " + cause.getMessage());
        }
        return cause;
    }

    private ObjectNode failed(CommandEnvelope command, String code, String message, String field) {
        LOG.warnf("command %s failed: %s %s", command.commandId(), code, message);
        return CommandResult.failed(mapper, command.type(), command.commandId(), command.requestedBy().email(), code, message, field);
    }

    private void deliver(CommandEnvelope command, JsonNode result) {
        events.publish(resultEvent("result-" + command.commandId(), command.tenantId(), command.commandId(), result));
        idempotency.markResultDelivered(command.tenantId(), command.commandId());
    }

    private static OutboundEvent resultEvent(String eventId, String tenantId, String commandId, JsonNode result) {
        return OutboundEvent.of(eventId, RESULT_EVENT, tenantId, "command", commandId, null, result);
    }

    /** Answers a message that failed envelope validation, if it names where the answer goes. */
    private void answerUnparsable(String body, InvalidCommandException e) {
        JsonNode root;
        try {
            root = mapper.readTree(body == null ? "" : body);
        } catch (Exception notJson) {
            root = null;
        }
        String tenantId = root == null ? null : root.path("tenantId").asText(null);
        String commandId = root == null ? null : root.path("commandId").asText(null);
        if (tenantId == null || commandId == null || e.field().equals("tenantId") || e.field().equals("commandId")) {
            LOG.errorf("dropped a command that names no valid tenant and command id: %s", e.getMessage());
            return;
        }
        LOG.warnf("command %s rejected: %s", commandId, e.getMessage());
        events.publish(resultEvent("result-" + commandId, tenantId, commandId, CommandResult.failed(mapper,
                root.path("type").asText(null), commandId, root.path("requestedBy").path("email").asText(null),
                "invalid_command", e.getMessage(), e.field())));
    }

    private static String codeFor(AshbyException e) {
        return switch (e) {
            case AshbyException.MissingPermission m -> "missing_permission";
            case AshbyException.Unauthorized u -> "ashby_key_refused";
            case AshbyException.MalformedResponse m -> "ashby_malformed_response";
            default -> e.code();
        };
    }

    private static int receiveCount(SQSEvent.SQSMessage message) {
        String count = message.getAttributes() == null ? null : message.getAttributes().get("ApproximateReceiveCount");
        try {
            return count == null ? 1 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Of the payload's content, not its spelling: a redelivery whose JSON lists the same keys in another order is the same command. */
    static String payloadHash(CommandEnvelope command) {
        return HexFormat.of().formatHex(Sha256.digest(command.type() + "\n" + canonical(command.payload())));
    }

    /** The JSON text with every object's keys sorted, at any depth (arrays keep their order: it means something). */
    private static String canonical(JsonNode node) {
        if (node.isObject()) {
            StringBuilder text = new StringBuilder("{");
            new TreeMap<>(node.properties().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                    .forEach((key, value) -> text.append(text.length() > 1 ? "," : "")
                            .append(TextNode.valueOf(key)).append(':').append(canonical(value)));
            return text.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder("[");
            node.forEach(element -> text.append(text.length() > 1 ? "," : "").append(canonical(element)));
            return text.append(']').toString();
        }
        return node.toString();
    }
}
