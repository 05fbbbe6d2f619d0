package io.ashbysync.application;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.command.CommandContext;
import io.ashbysync.command.CommandEnvelope;
import io.ashbysync.command.CommandFailedException;
import io.ashbysync.command.CommandHandler;
import io.ashbysync.command.PayloadReader;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code application.reject.cancel}: {@code rejectionId} (the commandId of a delayed {@code application.reject}). */
@ApplicationScoped
public class ApplicationRejectCancelCommand implements CommandHandler {
    public static final String TYPE = "application.reject.cancel";

    private final ObjectMapper mapper;
    private final DelayedRejections delayed;

    public ApplicationRejectCancelCommand(ObjectMapper mapper, DelayedRejections delayed) {
        this.mapper = mapper;
        this.delayed = delayed;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(CommandEnvelope command) {
        PayloadReader.of(command.payload()).requiredText("rejectionId");
    }

    @Override
    public ObjectNode execute(CommandContext context) {
        String rejectionId = PayloadReader.of(context.command().payload()).requiredText("rejectionId");
        return switch (delayed.cancel(context.tenant().tenantId(), rejectionId)) {
            case CANCELLED -> mapper.createObjectNode().put("rejectionId", rejectionId).put("cancelled", true);
            case ALREADY_CANCELLED -> mapper.createObjectNode().put("rejectionId", rejectionId).put("cancelled", true).put("alreadyCancelled", true);
            case ALREADY_FIRED -> throw new CommandFailedException("rejection_already_fired",
                    "delayed rejection " + rejectionId + " has already been carried out");
            case NOT_FOUND -> throw new CommandFailedException("rejection_not_found", "no delayed rejection " + rejectionId);
        };
    }
}
