package io.ashbysync.application;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.Application;
import io.ashbysync.ashby.model.Candidate;
import io.ashbysync.ashby.model.InterviewStage;
import io.ashbysync.command.CommandContext;
import io.ashbysync.command.CommandEnvelope;
import io.ashbysync.command.CommandFailedException;
import io.ashbysync.command.CommandHandler;
import io.ashbysync.command.InvalidCommandException;
import io.ashbysync.command.PayloadReader;
import io.ashbysync.identity.IdentityIndex;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code application.advance}: moves one application, named by {@code applicationId} or by
 * ({@code findemProfileId}, {@code jobId}), to {@code stageId}, {@code stageTitle} or the {@code next} stage of its
 * interview plan, as the recruiter who asked, and leaves a receipt note.
 *
 * <p>The target stage is saved in the progress before the write; a resumed attempt whose application already sits in
 * that stage does not move it again.
 */
@ApplicationScoped
public class ApplicationAdvanceCommand implements CommandHandler {
    public static final String TYPE = "application.advance";

    record Request(String applicationId, String findemProfileId, String jobId, String stageId, String stageTitle, boolean next) {
        static Request parse(PayloadReader payload) {
            Optional<String> applicationId = payload.optionalUuid("applicationId");
            Optional<String> profile = payload.optionalText("findemProfileId");
            Optional<String> jobId = payload.optionalUuid("jobId");
            if (applicationId.isPresent() == profile.isPresent()) {
                throw new InvalidCommandException(payload.path("applicationId"), "or findemProfileId (with jobId) is required, not both");
            }
            if (profile.isPresent() && jobId.isEmpty()) throw new InvalidCommandException(payload.path("jobId"), "is required with findemProfileId");
            Optional<String> stageId = payload.optionalUuid("stageId");
            Optional<String> stageTitle = payload.optionalText("stageTitle");
            boolean next = payload.optionalBoolean("next", false);
            int targets = (stageId.isPresent() ? 1 : 0) + (stageTitle.isPresent() ? 1 : 0) + (next ? 1 : 0);
            if (targets != 1) {
                throw new InvalidCommandException(payload.path("stageId"), "exactly one of stageId, stageTitle or next: true is required");
            }
            return new Request(applicationId.orElse(null), profile.orElse(null), jobId.orElse(null), stageId.orElse(null),
                    stageTitle.orElse(null), next);
        }
    }

    private final ObjectMapper mapper;
    private final IdentityIndex identity;
    private final HiringData hiring;
    private final ActionOwners owners;
    private final Receipts receipts;
    private final ReceiptSettings settings;

    public ApplicationAdvanceCommand(ObjectMapper mapper, IdentityIndex identity, HiringData hiring, ActionOwners owners,
                                     Receipts receipts, ReceiptSettings settings) {
        this.mapper = mapper;
        this.identity = identity;
        this.hiring = hiring;
        this.owners = owners;
        this.receipts = receipts;
        this.settings = settings;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(CommandEnvelope command) {
        Request.parse(PayloadReader.of(command.payload()));
    }

    @Override
    public ObjectNode execute(CommandContext context) {
        Request request = Request.parse(PayloadReader.of(context.command().payload()));
        AshbySession ashby = context.ashby();
        ObjectNode progress = context.progress();
        String applicationId = progress.hasNonNull("applicationId") ? progress.get("applicationId").asText() : resolve(context, request);
        Application application = info(ashby, applicationId);
        InterviewStage current = application.currentInterviewStage();
        String planId = current.interviewPlanId();
        List<InterviewStage> stages = hiring.stages(ashby, planId);

        InterviewStage target;
        if (progress.hasNonNull("toStageId")) {
            String toStageId = progress.get("toStageId").asText();
            target = stages.stream().filter(s -> s.id().equals(toStageId)).findFirst().orElseThrow();
        } else {
            refuseClosed(application);
            target = target(request, stages, current);
            progress.put("applicationId", applicationId).put("fromStageId", current.id()).put("toStageId", target.id());
            progress.put("alreadyThere", current.id().equals(target.id()));
            context.save();
        }
        String fromStageId = progress.get("fromStageId").asText();
        InterviewStage from = stages.stream().filter(s -> s.id().equals(fromStageId)).findFirst().orElse(current);
        ActionOwners.Owner owner = owners.resolve(ashby, context.command().requestedBy().email(), context.command().requestedBy().name());
        boolean alreadyThere = progress.path("alreadyThere").asBoolean();

        if (!alreadyThere && !progress.has("actedAs")) {
            if (!current.id().equals(target.id())) {
                refuseClosed(application);
                // A lost answer (WriteOutcomeUnknown) goes back to the queue: the resumed attempt reads the stage first.
                try {
                    ActionOwners.Acted<Application> moved = owners.write(ashby, owner, session -> session.call(AshbyEndpoint.APPLICATION_CHANGE_STAGE,
                            Map.of("applicationId", applicationId, "interviewStageId", target.id()), Application.class));
                    progress.put("actedAs", moved.actedAs());
                } catch (AshbyException.Rejected e) {
                    throw new CommandFailedException(e.code(), "Ashby refused to move the application: " + e.getMessage());
                }
            } else {
                progress.put("actedAs", ActionOwners.AS_UNKNOWN);
            }
            progress.put("movedAt", Instant.now().toString());
            context.wrote("application.changeStage");
        }

        if (!alreadyThere && settings.receiptNotes(context.tenant().tenantId()) && !progress.has("noteId")) {
            boolean mayExist = progress.path("noteAttempted").asBoolean();
            progress.put("noteAttempted", true);
            context.save();
            String ref = context.command().commandId();
            String text = Receipts.text("Moved from \"" + from.title() + "\" to \"" + target.title() + "\"", owner,
                    progress.get("actedAs").asText(), Instant.parse(progress.get("movedAt").asText()), ref);
            progress.put("noteId", receipts.write(ashby, application.candidate().id(), text, ref, mayExist));
            context.wrote("note");
        }

        ObjectNode output = mapper.createObjectNode();
        output.put("applicationId", applicationId);
        output.putObject("fromStage").put("id", from.id()).put("title", from.title());
        output.putObject("toStage").put("id", target.id()).put("title", target.title());
        output.put("changed", !alreadyThere);
        if (progress.has("actedAs")) output.put("actedAs", progress.get("actedAs").asText());
        output.put("ownerEmail", owner.email());
        if (owner.userId() != null) output.put("ownerUserId", owner.userId());
        if (progress.has("noteId")) output.put("noteId", progress.get("noteId").asText());
        return output;
    }

    private String resolve(CommandContext context, Request request) {
        if (request.applicationId() != null) return request.applicationId();
        String tenantId = context.tenant().tenantId();
        String candidateId = identity.candidateForProfile(tenantId, request.findemProfileId())
                .orElseThrow(() -> new CommandFailedException("candidate_not_found",
                        "no Ashby candidate is linked to Findem profile " + request.findemProfileId()));
        Candidate candidate = context.ashby().call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", candidateId), Candidate.class);
        for (String applicationId : candidate.applicationIds() == null ? List.<String>of() : candidate.applicationIds()) {
            Application application = info(context.ashby(), applicationId);
            if (application.job() != null && request.jobId().equals(application.job().id())) return applicationId;
        }
        throw new CommandFailedException("application_not_found",
                "the candidate of Findem profile " + request.findemProfileId() + " has no application for job " + request.jobId());
    }

    static Application info(AshbySession ashby, String applicationId) {
        try {
            return ashby.call(AshbyEndpoint.APPLICATION_INFO, Map.of("applicationId", applicationId), Application.class);
        } catch (AshbyException.Rejected e) {
            if ("application_not_found".equals(e.code()) || "invalid_input".equals(e.code())) {
                throw new CommandFailedException("application_not_found", "Ashby has no application " + applicationId);
            }
            throw e;
        }
    }

    private static void refuseClosed(Application application) {
        if ("Archived".equals(application.status())) {
            throw new CommandFailedException("application_archived", "application " + application.id() + " is archived: it cannot be advanced");
        }
        if ("Hired".equals(application.status())) {
            throw new CommandFailedException("application_hired", "application " + application.id() + " is hired: it cannot be advanced");
        }
    }

    private static InterviewStage target(Request request, List<InterviewStage> stages, InterviewStage current) {
        InterviewStage target;
        if (request.stageId() != null) {
            target = stages.stream().filter(s -> s.id().equals(request.stageId())).findFirst()
                    .orElseThrow(() -> new CommandFailedException("stage_not_found",
                            "stage " + request.stageId() + " is not in the application's interview plan"));
        } else if (request.stageTitle() != null) {
            target = stages.stream().filter(s -> s.title().trim().equalsIgnoreCase(request.stageTitle())).findFirst()
                    .orElseThrow(() -> new CommandFailedException("stage_not_found",
                            "the application's interview plan has no stage titled '" + request.stageTitle() + "'"));
        } else {
            target = stages.stream().filter(s -> s.orderInInterviewPlan() > current.orderInInterviewPlan() && !s.isArchived())
                    .findFirst().orElseThrow(() -> new CommandFailedException("no_next_stage",
                            "stage '" + current.title() + "' is the last stage of the application's interview plan"));
        }
        if (target.isArchived()) {
            throw new CommandFailedException("stage_not_allowed", "moving to the Archived stage is a rejection: use application.reject");
        }
        return target;
    }
}
