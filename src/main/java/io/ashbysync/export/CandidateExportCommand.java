package io.ashbysync.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.ListPosition;
import io.ashbysync.ashby.model.Application;
import io.ashbysync.ashby.model.Candidate;
import io.ashbysync.ashby.model.ContactInfo;
import io.ashbysync.ashby.model.FileHandle;
import io.ashbysync.ashby.model.InterviewStage;
import io.ashbysync.ashby.model.Job;
import io.ashbysync.ashby.model.Note;
import io.ashbysync.ashby.model.Project;
import io.ashbysync.ashby.model.Tag;
import io.ashbysync.command.CommandContext;
import io.ashbysync.command.CommandEnvelope;
import io.ashbysync.command.CommandFailedException;
import io.ashbysync.command.CommandHandler;
import io.ashbysync.command.PayloadReader;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.identity.IdentityKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code candidate.export}: creates or updates the candidate in Ashby (never a duplicate), adds the application,
 * lead or project, then notes, tags, custom fields, resume and attachments.
 *
 * <p>Every Ashby write is recorded in the command's progress right after it returns, so a redelivery skips it.
 * Writes that Ashby makes idempotent by nature (tags by title, custom field values, updates) are simply repeated.
 * For the others, an intent is saved before the write, and a resumed attempt that finds an intent without its
 * outcome looks at Ashby's state first: the candidate by email (or name and creation time), the application among
 * the candidate's applications for the job, the note among the candidate's notes, the file among its files.
 */
@ApplicationScoped
public class CandidateExportCommand implements CommandHandler {
    public static final String TYPE = "candidate.export";
    private static final String ATTEMPTED = "attempted";
    private static final Duration CREATE_CLOCK_SLACK = Duration.ofMinutes(2);

    private final ObjectMapper mapper;
    private final IdentityIndex identity;
    private final FileTransfer files;
    /** Tag ids by tenant and title: {@code candidateTag.create} is idempotent by title, the cache only saves calls. */
    private final Map<String, String> tagIds = new ConcurrentHashMap<>();

    public CandidateExportCommand(ObjectMapper mapper, IdentityIndex identity, FileTransfer files) {
        this.mapper = mapper;
        this.identity = identity;
        this.files = files;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(CommandEnvelope command) {
        ExportRequest.parse(PayloadReader.of(command.payload()));
    }

    @Override
    public ObjectNode execute(CommandContext context) {
        ExportRequest request = ExportRequest.parse(PayloadReader.of(context.command().payload()));
        AshbySession ashby = context.ashby();
        ObjectNode progress = context.progress();
        String tenantId = context.tenant().tenantId();

        // Everything that can refuse the export is checked before the first write: nothing is half-applied.
        Placement placement = placement(ashby, request);
        FileTransfer.Download resume = request.resume() == null ? null : files.download(request.resume());
        List<FileTransfer.Download> attachments = request.attachments().stream().map(files::download).toList();

        Candidate candidate = resolveCandidate(context, request);
        String candidateId = candidate.id();
        identity.link(tenantId, candidateId, request.findemProfileId(), allEmails(candidate, request),
                request.candidate().linkedInUrl() == null ? List.of() : List.of(request.candidate().linkedInUrl()));

        String applicationId = placement.jobId() == null ? null : ensureApplication(context, request, placement, candidate);
        if (request.projectId() != null && !progress.path("projectAdded").asBoolean()) {
            ashby.call(AshbyEndpoint.CANDIDATE_ADD_PROJECT, Map.of("candidateId", candidateId, "projectId", request.projectId()), Candidate.class);
            progress.put("projectAdded", true);
            context.wrote("project");
        }
        ArrayNode tagIdsOut = addTags(context, tenantId, candidateId, request.tags());
        setCustomFields(context, "Candidate", candidateId, request.candidateCustomFields(), "candidateFieldsSet");
        if (applicationId != null) {
            setCustomFields(context, "Application", applicationId, request.applicationCustomFields(), "applicationFieldsSet");
        }
        ObjectNode noteIds = addNotes(context, candidateId, request.notes());
        if (resume != null) attachFile(context, candidateId, resume, true);
        for (FileTransfer.Download attachment : attachments) attachFile(context, candidateId, attachment, false);

        ObjectNode output = mapper.createObjectNode();
        output.put("findemProfileId", request.findemProfileId());
        output.put("candidateId", candidateId);
        output.put("candidateCreated", progress.path("candidateCreated").asBoolean());
        output.put("matchedBy", progress.path("matchedBy").asText());
        if (applicationId != null) {
            output.put("applicationId", applicationId);
            output.put("applicationCreated", progress.path("applicationCreated").asBoolean());
        }
        if (request.projectId() != null) output.put("projectId", request.projectId());
        output.set("tagIds", tagIdsOut);
        output.set("noteIds", noteIds);
        if (resume != null) output.put("resumeFileName", resume.fileName());
        output.set("attachmentFileNames", mapper.valueToTree(attachments.stream().map(FileTransfer.Download::fileName).toList()));
        return output;
    }

    // ------------------------------------------------------------------ job and stage

    /** Where the application goes: job and stage id ({@code null} stage = Ashby's default first Lead stage). */
    private record Placement(String jobId, String interviewStageId) {}

    private Placement placement(AshbySession ashby, ExportRequest request) {
        if (request.projectId() != null) {
            boolean known = ashby.pages(AshbyEndpoint.PROJECT_LIST, null, Project.class, ListPosition.FULL)
                    .flatMap(p -> p.results().stream()).anyMatch(p -> p.id().equals(request.projectId()));
            if (!known) throw new CommandFailedException("project_not_found", "Ashby has no project " + request.projectId());
        }
        if (request.mode() == ExportRequest.Mode.PROSPECT) return new Placement(null, null);
        Job job;
        try {
            job = ashby.call(AshbyEndpoint.JOB_INFO, Map.of("id", request.jobId()), Job.class);
        } catch (AshbyException.Rejected e) {
            if (e.code().equals("job_not_found") || e.code().equals("invalid_input")) {
                throw new CommandFailedException("job_not_found", "Ashby has no job " + request.jobId());
            }
            throw e;
        }
        if (request.mode() == ExportRequest.Mode.LEAD) return new Placement(job.id(), null);
        if (request.stageId() == null) return new Placement(job.id(), "FirstPreInterviewScreen");
        List<InterviewStage> stages = ashby.callForList(AshbyEndpoint.INTERVIEW_STAGE_LIST,
                Map.of("interviewPlanId", job.defaultInterviewPlanId()), InterviewStage.class);
        InterviewStage stage = stages.stream().filter(s -> s.id().equals(request.stageId())).findFirst()
                .orElseThrow(() -> new CommandFailedException("stage_not_found",
                        "stage " + request.stageId() + " is not in the interview plan of job " + job.id()));
        if (stage.isArchived()) {
            throw new CommandFailedException("stage_not_allowed", "an export cannot place an application in the Archived stage");
        }
        return new Placement(job.id(), stage.id());
    }

    // ------------------------------------------------------------------ candidate

    private Candidate resolveCandidate(CommandContext context, ExportRequest request) {
        AshbySession ashby = context.ashby();
        ObjectNode progress = context.progress();
        String tenantId = context.tenant().tenantId();
        if (progress.hasNonNull("candidateId")) {
            Candidate known = ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", progress.get("candidateId").asText()), Candidate.class);
            return update(context, known, request);
        }
        Optional<Candidate> match = indexed(ashby, tenantId, "profile", identity.candidateForProfile(tenantId, request.findemProfileId()), progress);
        for (String email : request.candidate().emails()) {
            if (match.isEmpty()) match = indexed(ashby, tenantId, "email", identity.candidateForEmail(tenantId, email), progress);
        }
        if (match.isEmpty() && request.candidate().linkedInUrl() != null) {
            match = indexed(ashby, tenantId, "linkedin", identity.candidateForLinkedIn(tenantId, request.candidate().linkedInUrl()), progress);
        }
        for (String email : request.candidate().emails()) {
            if (match.isEmpty()) {
                match = ashby.callForList(AshbyEndpoint.CANDIDATE_SEARCH, Map.of("email", email), Candidate.class).stream().findFirst();
                match.ifPresent(c -> progress.put("matchedBy", progress.has("createAttemptAt") ? "created" : "ashby_search"));
            }
        }
        if (match.isEmpty() && progress.has("createAttemptAt") && request.candidate().emails().isEmpty()) {
            match = createdByEarlierAttempt(ashby, request, Instant.parse(progress.get("createAttemptAt").asText()));
            match.ifPresent(c -> progress.put("matchedBy", "created"));
        }
        if (match.isPresent()) {
            Candidate found = match.get();
            progress.put("candidateId", found.id());
            progress.put("candidateCreated", "created".equals(progress.path("matchedBy").asText()));
            context.save();
            return "created".equals(progress.path("matchedBy").asText()) ? found : update(context, found, request);
        }
        progress.put("createAttemptAt", Instant.now().toString());
        context.save();
        Candidate created = ashby.call(AshbyEndpoint.CANDIDATE_CREATE, createBody(request), Candidate.class);
        progress.put("candidateId", created.id());
        progress.put("candidateCreated", true);
        progress.put("matchedBy", "created");
        context.wrote("candidate.create");
        return created;
    }

    /** An indexed candidate is checked in Ashby: one deleted there is dropped from the index and matching goes on. */
    private Optional<Candidate> indexed(AshbySession ashby, String tenantId, String how, Optional<String> candidateId, ObjectNode progress) {
        if (candidateId.isEmpty()) return Optional.empty();
        try {
            Candidate candidate = ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", candidateId.get()), Candidate.class);
            progress.put("matchedBy", how);
            return Optional.of(candidate);
        } catch (AshbyException.Rejected e) {
            if (!e.code().equals("candidate_not_found")) throw e;
            identity.remove(tenantId, candidateId.get());
            return Optional.empty();
        }
    }

    /** Without an email, a candidate created by a crashed attempt is found by name and creation time. */
    private static Optional<Candidate> createdByEarlierAttempt(AshbySession ashby, ExportRequest request, Instant attemptAt) {
        return ashby.callForList(AshbyEndpoint.CANDIDATE_SEARCH, Map.of("name", request.candidate().name()), Candidate.class).stream()
                .filter(c -> c.createdAt() != null && !c.createdAt().isBefore(attemptAt.minus(CREATE_CLOCK_SLACK)))
                .findFirst();
    }

    private Map<String, Object> createBody(ExportRequest request) {
        ExportRequest.CandidateFields c = request.candidate();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", c.name());
        if (!c.emails().isEmpty()) body.put("email", c.emails().getFirst());
        if (c.emails().size() > 1) body.put("alternateEmailAddresses", c.emails().subList(1, c.emails().size()));
        if (!c.phoneNumbers().isEmpty()) body.put("phoneNumber", c.phoneNumbers().getFirst());
        if (c.linkedInUrl() != null) body.put("linkedInUrl", c.linkedInUrl());
        if (c.githubUrl() != null) body.put("githubUrl", c.githubUrl());
        if (c.websiteUrl() != null) body.put("website", c.websiteUrl());
        if (c.location() != null) body.put("location", location(c.location()));
        if (request.sourceId() != null) body.put("sourceId", request.sourceId());
        if (request.creditedToUserId() != null) body.put("creditedToUserId", request.creditedToUserId());
        return body;
    }

    /** Re-export keeps Ashby current; note the update's field names differ from create's (websiteUrl, alternateEmail). */
    private Candidate update(CommandContext context, Candidate existing, ExportRequest request) {
        ExportRequest.CandidateFields c = request.candidate();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("candidateId", existing.id());
        body.put("name", c.name());
        if (!c.emails().isEmpty()) body.put("email", c.emails().getFirst());
        if (!c.phoneNumbers().isEmpty()) body.put("phoneNumber", c.phoneNumbers().getFirst());
        if (c.linkedInUrl() != null) body.put("linkedInUrl", c.linkedInUrl());
        if (c.githubUrl() != null) body.put("githubUrl", c.githubUrl());
        if (c.websiteUrl() != null) body.put("websiteUrl", c.websiteUrl());
        if (c.location() != null) body.put("location", location(c.location()));
        if (request.sourceId() != null) body.put("sourceId", request.sourceId());
        if (request.creditedToUserId() != null) body.put("creditedToUserId", request.creditedToUserId());
        body.put("sendNotifications", false);
        Candidate updated = context.ashby().call(AshbyEndpoint.CANDIDATE_UPDATE, body, Candidate.class);
        List<String> known = emailsOf(updated);
        for (String extra : c.emails().stream().skip(1).toList()) {
            if (!known.contains(IdentityKeys.email(extra).orElseThrow())) {
                updated = context.ashby().call(AshbyEndpoint.CANDIDATE_UPDATE,
                        Map.of("candidateId", existing.id(), "alternateEmail", extra, "sendNotifications", false), Candidate.class);
            }
        }
        return updated;
    }

    private static Map<String, String> location(ExportRequest.Location location) {
        Map<String, String> body = new HashMap<>();
        if (location.city() != null) body.put("city", location.city());
        if (location.region() != null) body.put("region", location.region());
        if (location.country() != null) body.put("country", location.country());
        return body;
    }

    private static List<String> emailsOf(Candidate candidate) {
        List<String> emails = new ArrayList<>();
        if (candidate.primaryEmailAddress() != null) IdentityKeys.email(candidate.primaryEmailAddress().value()).ifPresent(emails::add);
        if (candidate.emailAddresses() != null) {
            candidate.emailAddresses().stream().map(ContactInfo::value).map(IdentityKeys::email).flatMap(Optional::stream)
                    .filter(e -> !emails.contains(e)).forEach(emails::add);
        }
        return emails;
    }

    private static List<String> allEmails(Candidate candidate, ExportRequest request) {
        List<String> emails = new ArrayList<>(emailsOf(candidate));
        request.candidate().emails().forEach(emails::add);
        return emails;
    }

    // ------------------------------------------------------------------ application

    /** Adds the application only if the candidate has none for the job; a crashed create is found the same way. */
    private String ensureApplication(CommandContext context, ExportRequest request, Placement placement, Candidate candidate) {
        ObjectNode progress = context.progress();
        if (progress.hasNonNull("applicationId")) return progress.get("applicationId").asText();
        AshbySession ashby = context.ashby();
        Candidate fresh = ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", candidate.id()), Candidate.class);
        for (String applicationId : Objects.requireNonNullElse(fresh.applicationIds(), List.<String>of())) {
            Application application = ashby.call(AshbyEndpoint.APPLICATION_INFO, Map.of("applicationId", applicationId), Application.class);
            if (application.job() != null && placement.jobId().equals(application.job().id())) {
                progress.put("applicationId", application.id());
                progress.put("applicationCreated", progress.path("applicationAttempted").asBoolean());
                context.save();
                return application.id();
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("candidateId", candidate.id());
        body.put("jobId", placement.jobId());
        if (placement.interviewStageId() != null) body.put("interviewStageId", placement.interviewStageId());
        if (request.sourceId() != null) body.put("sourceId", request.sourceId());
        if (request.creditedToUserId() != null) body.put("creditedToUserId", request.creditedToUserId());
        progress.put("applicationAttempted", true);
        context.save();
        Application created = ashby.call(AshbyEndpoint.APPLICATION_CREATE, body, Application.class);
        progress.put("applicationId", created.id());
        progress.put("applicationCreated", true);
        context.wrote("application.create");
        return created.id();
    }

    // ------------------------------------------------------------------ tags and custom fields

    private ArrayNode addTags(CommandContext context, String tenantId, String candidateId, List<String> titles) {
        ObjectNode done = progressObject(context.progress(), "tags");
        ArrayNode ids = mapper.createArrayNode();
        for (String title : titles) {
            if (done.has(title)) {
                ids.add(done.get(title).asText());
                continue;
            }
            String tagId = tagIds.computeIfAbsent(tenantId + "\n" + title,
                    k -> context.ashby().call(AshbyEndpoint.CANDIDATE_TAG_CREATE, Map.of("title", title), Tag.class).id());
            context.ashby().call(AshbyEndpoint.CANDIDATE_ADD_TAG, Map.of("candidateId", candidateId, "tagId", tagId), Candidate.class);
            done.put(title, tagId);
            ids.add(tagId);
            context.wrote("tag");
        }
        return ids;
    }

    private void setCustomFields(CommandContext context, String objectType, String objectId, List<ExportRequest.FieldValue> values, String doneFlag) {
        if (values.isEmpty() || context.progress().path(doneFlag).asBoolean()) return;
        List<Map<String, Object>> fieldValues = values.stream()
                .map(v -> Map.<String, Object>of("fieldId", v.fieldId(), "fieldValue", v.value())).toList();
        context.ashby().call(AshbyEndpoint.CUSTOM_FIELD_SET_VALUES,
                Map.of("objectId", objectId, "objectType", objectType, "values", fieldValues), JsonNode.class);
        context.progress().put(doneFlag, true);
        context.wrote("customField.setValues." + objectType);
    }

    // ------------------------------------------------------------------ notes and files

    private ObjectNode addNotes(CommandContext context, String candidateId, List<ExportRequest.Note> notes) {
        ObjectNode done = progressObject(context.progress(), "notes");
        List<Note> existing = null;
        for (ExportRequest.Note note : notes) {
            String state = done.path(note.key()).asText(null);
            if (state != null && !state.equals(ATTEMPTED)) continue;
            if (ATTEMPTED.equals(state)) {
                if (existing == null) existing = listNotes(context.ashby(), candidateId);
                Optional<Note> written = existing.stream().filter(n -> sameContent(n.content(), note.content())).findFirst();
                if (written.isPresent()) {
                    done.put(note.key(), written.get().id());
                    context.save();
                    continue;
                }
            }
            done.put(note.key(), ATTEMPTED);
            context.save();
            Object body = note.html() ? Map.of("type", "text/html", "value", note.content()) : note.content();
            Note created = context.ashby().call(AshbyEndpoint.CANDIDATE_CREATE_NOTE,
                    Map.of("candidateId", candidateId, "note", body, "sendNotifications", false), Note.class);
            done.put(note.key(), created.id());
            context.wrote("note");
        }
        return done;
    }

    private static List<Note> listNotes(AshbySession ashby, String candidateId) {
        return ashby.pages(AshbyEndpoint.CANDIDATE_LIST_NOTES, Map.of("candidateId", candidateId), Note.class, ListPosition.FULL)
                .flatMap(p -> p.results().stream()).toList();
    }

    /** Ashby keeps a safe subset of HTML, so notes are compared on their text. */
    static boolean sameContent(String stored, String sent) {
        return stored != null && text(stored).equals(text(sent));
    }

    private static String text(String html) {
        return html.replaceAll("<[^>]*>", "").replaceAll("\\s+", " ").trim();
    }

    private void attachFile(CommandContext context, String candidateId, FileTransfer.Download file, boolean isResume) {
        ObjectNode done = progressObject(context.progress(), isResume ? "resume" : "files");
        String state = done.path(file.fileName()).asText(null);
        if ("done".equals(state)) return;
        if (ATTEMPTED.equals(state) && alreadyAttached(context.ashby(), candidateId, file.fileName(), isResume)) {
            done.put(file.fileName(), "done");
            context.save();
            return;
        }
        done.put(file.fileName(), ATTEMPTED);
        context.save();
        String handle = files.upload(context.ashby(), file, isResume ? "CandidateResume" : "CandidateFiles");
        if (isResume) {
            context.ashby().call(AshbyEndpoint.CANDIDATE_UPLOAD_RESUME, Map.of("candidateId", candidateId, "resumeHandle", handle), Candidate.class);
        } else {
            context.ashby().call(AshbyEndpoint.CANDIDATE_UPLOAD_FILE, Map.of("candidateId", candidateId, "fileHandle", handle), Candidate.class);
        }
        done.put(file.fileName(), "done");
        context.wrote(isResume ? "resume" : "file");
    }

    private static boolean alreadyAttached(AshbySession ashby, String candidateId, String fileName, boolean isResume) {
        Candidate candidate = ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", candidateId), Candidate.class);
        if (isResume) return candidate.resumeFileHandle() != null && fileName.equals(candidate.resumeFileHandle().name());
        return candidate.fileHandles() != null && candidate.fileHandles().stream().map(FileHandle::name).anyMatch(fileName::equals);
    }

    private static ObjectNode progressObject(ObjectNode progress, String field) {
        return progress.has(field) ? (ObjectNode) progress.get(field) : progress.putObject(field);
    }
}
