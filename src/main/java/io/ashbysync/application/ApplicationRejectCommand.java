package io.ashbysync.application;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.model.ArchiveReason;
import io.ashbysync.ashby.model.CommunicationTemplate;
import io.ashbysync.command.CommandContext;
import io.ashbysync.command.CommandEnvelope;
import io.ashbysync.command.CommandHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * {@code application.reject}: checks the reason and the email template once, then either schedules the rejection
 * ({@code rejectAt}/{@code delayMinutes}: see {@link DelayedRejections}) and answers at once, or starts a
 * {@link RejectionJobs} run whose last chunk publishes the command's one result.
 */
@ApplicationScoped
public class ApplicationRejectCommand implements CommandHandler {
    public static final String TYPE = "application.reject";

    private final ObjectMapper mapper;
    private final HiringData hiring;
    private final RejectionJobs jobs;
    private final DelayedRejections delayed;
    private final ApplicationsConfig config;

    public ApplicationRejectCommand(ObjectMapper mapper, HiringData hiring, RejectionJobs jobs, DelayedRejections delayed,
                                    ApplicationsConfig config) {
        this.mapper = mapper;
        this.hiring = hiring;
        this.jobs = jobs;
        this.delayed = delayed;
        this.config = config;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(CommandEnvelope command) {
        RejectRequest.parse(command.payload(), config.maxBulk(), Instant.now());
    }

    @Override
    public ObjectNode execute(CommandContext context) {
        CommandEnvelope command = context.command();
        Instant received = context.progress().has("receivedAt") ? Instant.parse(context.progress().get("receivedAt").asText()) : Instant.now();
        if (!context.progress().has("receivedAt")) {
            context.progress().put("receivedAt", received.toString());
            context.save();
        }
        RejectRequest request = RejectRequest.parse(command.payload(), config.maxBulk(), received);
        ArchiveReason reason = hiring.archiveReason(context.ashby(), request.archiveReasonId(), request.archiveReasonText());
        CommunicationTemplate template = request.templateId() == null ? null : hiring.emailTemplate(context.ashby(), request.templateId());

        ObjectNode spec = mapper.createObjectNode();
        spec.put("jobId", command.commandId()).put("commandId", command.commandId()).put("commandType", TYPE);
        spec.put("mode", request.delayed(received) ? "delayed" : "command").put("dryRun", request.dryRun());
        spec.putObject("requestedBy").put("email", command.requestedBy().email()).put("name", command.requestedBy().name());
        spec.putObject("archiveReason").put("id", reason.id()).put("text", reason.text());
        if (template != null) spec.putObject("template").put("id", template.id()).put("title", template.title());
        if (request.sendAt() != null) spec.put("sendAt", request.sendAt().toString());
        if (request.sendAfterMinutes() != null) spec.put("sendAfterMinutes", request.sendAfterMinutes());

        ObjectNode output = mapper.createObjectNode();
        output.put("applicationCount", request.applicationIds().size());
        output.set("archiveReason", spec.get("archiveReason"));
        if (request.delayed(received)) {
            delayed.schedule(context.tenant().tenantId(), command.commandId(), request.rejectAt(), spec, request.applicationIds());
            return output.put("scheduled", true).put("rejectionId", command.commandId()).put("rejectAt", request.rejectAt().toString());
        }
        int chunks = jobs.start(context.tenant().tenantId(), spec, request.applicationIds());
        context.deferResult();
        return output.put("chunks", chunks);
    }
}
