package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Ashby organization with one API key: its records, the key's permissions and toggles, and the operations
 * Ashby's UI performs (delete, merge, move stage, hire, publish) that fire webhooks. Every method that reads or
 * writes records synchronizes on this object, as the request dispatcher does.
 */
public final class SimulatedOrganization {
    public static final Set<String> ALL_PERMISSIONS = Set.of(
            "candidatesRead", "candidatesWrite", "jobsRead", "jobsWrite", "interviewsRead", "interviewsWrite",
            "hiringProcessMetadataRead", "hiringProcessMetadataWrite", "organizationRead", "organizationWrite",
            "offersRead", "offersWrite", "apiKeysRead", "apiKeysWrite", "approvalsRead", "approvalsWrite",
            "reportsRead", "notetakerRead");

    /** A rejection email scheduled by application.changeStage's archiveEmail. */
    public record ScheduledEmail(String applicationId, String candidateId, String toEmail,
                                 String communicationTemplateId, Instant sendAt, String actorId) {}

    /** Bytes uploaded through a file upload handle; {@code handle} is what file.info takes. */
    public record StoredFile(String id, String handle, String name, String contentType, byte[] bytes) {}

    private final String apiKey;
    private final Clock clock;
    private final WebhookSender webhookSender;
    private final Instant apiKeyCreatedAt;
    private volatile Set<String> permissions = ALL_PERMISSIONS;
    private volatile boolean allowOnBehalfOf = true;
    private volatile boolean allowPrivateFields = true;
    private volatile boolean apiKeyActive = true;
    private volatile ZoneId timezone = ZoneId.of("America/Los_Angeles");
    private long changeSeq;
    private String apiKeyUserId;
    final SyncLog syncLog = new SyncLog(this);

    final EntityTable users = new EntityTable(this);
    final EntityTable departments = new EntityTable(this);
    final EntityTable locations = new EntityTable(this);
    final EntityTable jobs = new EntityTable(this);
    final EntityTable jobPostings = new EntityTable(this);
    final EntityTable interviewPlans = new EntityTable(this);
    final EntityTable interviewStages = new EntityTable(this);
    final EntityTable archiveReasons = new EntityTable(this);
    final EntityTable sources = new EntityTable(this);
    final EntityTable tags = new EntityTable(this);
    final EntityTable customFields = new EntityTable(this);
    final EntityTable templates = new EntityTable(this);
    final EntityTable candidates = new EntityTable(this);
    private final Set<String> missedByListings = new HashSet<>();
    final EntityTable applications = new EntityTable(this);
    final EntityTable notes = new EntityTable(this, "_candidateId");
    final EntityTable projects = new EntityTable(this);
    final EntityTable hiringTeamRoles = new EntityTable(this);
    final EntityTable webhooks = new EntityTable(this);
    /** Merged-away candidate id → surviving id. */
    final Map<String, String> mergedInto = new HashMap<>();
    final Map<String, StoredFile> filesByHandle = new ConcurrentHashMap<>();
    private final List<ScheduledEmail> scheduledEmails = new ArrayList<>();

    SimulatedOrganization(String apiKey, Clock clock, WebhookSender webhookSender) {
        this.apiKey = apiKey;
        this.clock = clock;
        this.webhookSender = webhookSender;
        this.apiKeyCreatedAt = clock.instant();
        synchronized (this) {
            ObjectNode keyUser = user(Ids.uuid(), "API", "Key User", "api-key-user@example.com",
                    "Organization Admin");
            users.put(keyUser);
            apiKeyUserId = keyUser.get("id").asText();
        }
    }

    // ---- key settings ---------------------------------------------------------------------------------------------

    public String apiKey() {
        return apiKey;
    }

    public Set<String> permissions() {
        return permissions;
    }

    /** Replaces the key's permissions (names as in ashby-api.md §1, e.g. candidatesRead). */
    public SimulatedOrganization permissions(Set<String> granted) {
        this.permissions = Set.copyOf(granted);
        return this;
    }

    public SimulatedOrganization allowOnBehalfOf(boolean allowed) {
        this.allowOnBehalfOf = allowed;
        return this;
    }

    public boolean allowsOnBehalfOf() {
        return allowOnBehalfOf;
    }

    /** "Allow access to non-offer private fields?" — private notes. */
    public SimulatedOrganization allowPrivateFields(boolean allowed) {
        this.allowPrivateFields = allowed;
        return this;
    }

    public boolean allowsPrivateFields() {
        return allowPrivateFields;
    }

    public SimulatedOrganization deactivateApiKey() {
        this.apiKeyActive = false;
        return this;
    }

    public boolean apiKeyActive() {
        return apiKeyActive;
    }

    public SimulatedOrganization timezone(ZoneId zone) {
        this.timezone = zone;
        return this;
    }

    public String apiKeyUserId() {
        return apiKeyUserId;
    }

    Instant apiKeyCreatedAt() {
        return apiKeyCreatedAt;
    }

    /** Makes every sync token issued so far answer sync_token_expired. */
    public synchronized void expireSyncTokens() {
        syncLog.expireSyncTokens();
    }

    /** Makes every cursor issued so far answer next_cursor_expired. */
    public synchronized void expireCursors() {
        syncLog.expireCursors();
    }

    /** Incremental syncs needing more than {@code pages} pages answer incremental_sync_too_large. */
    public synchronized void maxIncrementalSyncPages(int pages) {
        syncLog.maxIncrementalPages(pages);
    }

    // ---- state readers (public views, as the API would show them) -------------------------------------------------

    public synchronized List<ObjectNode> candidates() {
        return candidates.all().stream().map(Json::publicView).toList();
    }

    /** The projects (talent pools) a candidate was added to; Ashby keeps them off the candidate object. */
    public synchronized List<String> projectIdsOf(String candidateId) {
        ObjectNode c = candidates.get(candidateId);
        List<String> ids = new ArrayList<>();
        if (c != null && c.has("_projectIds")) c.get("_projectIds").forEach(p -> ids.add(p.asText()));
        return ids;
    }

    public synchronized ObjectNode candidate(String id) {
        ObjectNode c = candidates.get(id);
        return c == null ? null : Json.publicView(c);
    }

    public synchronized List<ObjectNode> applications() {
        return applications.all().stream().map(a -> renderApplication(a, true)).toList();
    }

    public synchronized ObjectNode application(String id) {
        ObjectNode a = applications.get(id);
        return a == null ? null : renderApplication(a, true);
    }

    public synchronized List<ObjectNode> notes(String candidateId) {
        return notes.group(candidateId).stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> locations() {
        return locations.all().stream().map(Json::publicView).toList();
    }

    /** A recruiter adds a note in Ashby's UI: the candidate's own record (and updatedAt) does not change. */
    public synchronized ObjectNode addNote(String candidateId, String content) {
        ObjectNode note = CandidateEndpoints.newNote(this, candidateId, content, false, clock.instant(), apiKeyUserId());
        notes.put(note);
        return Json.publicView(note);
    }

    public synchronized List<ObjectNode> jobs() {
        return jobs.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> jobPostings() {
        return jobPostings.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> users() {
        return users.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> interviewStages(String planId) {
        return stagesOfPlan(planId).stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> archiveReasons() {
        return archiveReasons.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> communicationTemplates() {
        return templates.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> tags() {
        return tags.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> sources() {
        return sources.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> customFieldDefinitions() {
        return customFields.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> projects() {
        return projects.all().stream().map(Json::publicView).toList();
    }

    public synchronized List<ObjectNode> webhooks() {
        return webhooks.all().stream().map(Json::publicView).toList();
    }

    /** An admin switches a webhook off in Ashby's UI (or Ashby gives up on it): it stays saved, disabled. */
    public synchronized void disableWebhook(String webhookId) {
        ObjectNode hook = webhooks.get(webhookId);
        if (hook == null) throw new IllegalArgumentException("no webhook " + webhookId);
        hook.put("enabled", false);
        webhooks.touch(webhookId);
    }

    /**
     * The webhook stays enabled (webhook.info says so) but its deliveries stop arriving: Ashby's sending stopped, or
     * they are lost on the way to the URL. Nothing is sent for it from now on, not even attempts.
     */
    public synchronized void stopDelivering(String webhookId) {
        ObjectNode hook = webhooks.get(webhookId);
        if (hook == null) throw new IllegalArgumentException("no webhook " + webhookId);
        hook.put("_notDelivering", true);
    }

    public List<StoredFile> files() {
        return List.copyOf(filesByHandle.values());
    }

    public synchronized List<ScheduledEmail> scheduledEmails() {
        return List.copyOf(scheduledEmails);
    }

    // ---- change sequence ------------------------------------------------------------------------------------------

    synchronized long nextChangeSeq() {
        return ++changeSeq;
    }

    synchronized long currentChangeSeq() {
        return changeSeq;
    }

    Instant now() {
        return clock.instant();
    }

    // ---- record builders and renderers ----------------------------------------------------------------------------

    ObjectNode user(String id, String first, String last, String email, String role) {
        ObjectNode u = Json.object();
        u.put("id", id);
        u.put("firstName", first);
        u.put("lastName", last);
        u.put("email", email);
        u.put("globalRole", role);
        u.put("isEnabled", true);
        u.put("updatedAt", Json.iso(now()));
        return u;
    }

    ObjectNode userView(String userId) {
        ObjectNode u = users.get(userId);
        return u == null ? null : Json.publicView(u);
    }

    ObjectNode hiringTeamMember(String userId, String role) {
        ObjectNode u = users.get(userId);
        ObjectNode m = Json.object();
        m.put("userId", userId);
        m.put("firstName", u.get("firstName").asText());
        m.put("lastName", u.get("lastName").asText());
        m.put("email", u.get("email").asText());
        m.put("role", role);
        return m;
    }

    List<ObjectNode> stagesOfPlan(String planId) {
        return interviewStages.all().stream().filter(s -> planId.equals(s.get("interviewPlanId").asText()))
                .sorted((a, b) -> Integer.compare(a.get("orderInInterviewPlan").asInt(),
                        b.get("orderInInterviewPlan").asInt()))
                .toList();
    }

    static String statusForStageType(String stageType) {
        return switch (stageType) {
            case "Lead" -> "Lead";
            case "Hired" -> "Hired";
            case "Archived" -> "Archived";
            default -> "Active";
        };
    }

    ObjectNode renderApplication(ObjectNode app, boolean withHistory) {
        ObjectNode r = Json.object();
        r.put("id", app.get("id").asText());
        r.put("createdAt", app.get("createdAt").asText());
        r.put("updatedAt", app.get("updatedAt").asText());
        r.put("status", app.get("status").asText());
        r.set("customFields", app.get("customFields").deepCopy());
        ObjectNode cand = candidates.get(app.get("_candidateId").asText());
        ObjectNode summary = r.putObject("candidate");
        summary.put("id", cand.get("id").asText());
        summary.put("name", cand.get("name").asText());
        if (cand.has("primaryEmailAddress")) {
            summary.set("primaryEmailAddress", cand.get("primaryEmailAddress").deepCopy());
        }
        if (cand.has("primaryPhoneNumber")) {
            summary.set("primaryPhoneNumber", cand.get("primaryPhoneNumber").deepCopy());
        }
        r.set("currentInterviewStage", Json.publicView(interviewStages.get(app.get("_stageId").asText())));
        ObjectNode source = sources.get(app.path("_sourceId").asText(null));
        r.set("source", source == null ? null : Json.publicView(source));
        ObjectNode reason = archiveReasons.get(app.path("_archiveReasonId").asText(null));
        if (reason != null) {
            ObjectNode rv = Json.publicView(reason);
            rv.set("customFields", Json.array());
            r.set("archiveReason", rv);
            r.put("archivedAt", app.get("archivedAt").asText());
        } else {
            r.putNull("archiveReason");
            r.putNull("archivedAt");
        }
        ObjectNode job = jobs.get(app.get("_jobId").asText());
        ObjectNode jobSummary = r.putObject("job");
        jobSummary.put("id", job.get("id").asText());
        jobSummary.put("title", job.get("title").asText());
        jobSummary.put("locationId", job.get("locationId").asText());
        jobSummary.put("departmentId", job.get("departmentId").asText());
        if (job.hasNonNull("brandId")) {
            jobSummary.put("brandId", job.get("brandId").asText());
        }
        r.set("creditedToUser", userView(app.path("_creditedToUserId").asText(null)));
        r.set("hiringTeam", job.get("hiringTeam").deepCopy());
        r.set("appliedViaJobPostingId", app.get("appliedViaJobPostingId"));
        if (withHistory) {
            r.set("applicationHistory", historyView(app));
        }
        return r;
    }

    ArrayNode historyView(ObjectNode app) {
        return ((ArrayNode) app.get("_history")).deepCopy();
    }

    ObjectNode newHistoryEntry(ObjectNode stage, Instant at, String actorId) {
        ObjectNode h = Json.object();
        h.put("id", Ids.uuid());
        h.put("stageId", stage.get("id").asText());
        h.put("title", stage.get("title").asText());
        h.put("enteredStageAt", Json.iso(at));
        h.put("stageNumber", stage.get("orderInInterviewPlan").asInt());
        h.set("allowedActions", Json.array().add("set_entered_at"));
        if (actorId != null) {
            h.put("actorId", actorId);
        }
        return h;
    }

    // ---- domain operations shared by endpoints, UI mutators and the generator -------------------------------------

    /** Creates an application the way application.create does; {@code stageId} null = first Lead stage. */
    synchronized ObjectNode createApplication(String candidateId, String jobId, String planId, String stageId,
                                              String sourceId, String creditedToUserId, Instant createdAt,
                                              String actorId) {
        ObjectNode cand = candidates.get(candidateId);
        if (cand == null) {
            throw AshbyError.notFound("candidate_not_found", "Candidate");
        }
        ObjectNode job = jobs.get(jobId);
        if (job == null) {
            throw AshbyError.notFound("job_not_found", "Job");
        }
        String plan = planId != null ? planId : job.path("defaultInterviewPlanId").asText(null);
        if (plan == null || interviewPlans.get(plan) == null) {
            throw AshbyError.notFound("interview_plan_not_found", "Interview plan");
        }
        List<ObjectNode> stages = stagesOfPlan(plan);
        ObjectNode stage;
        if (stageId == null) {
            stage = stages.stream().filter(s -> "Lead".equals(s.get("type").asText())).findFirst()
                    .orElse(stages.get(0));
        } else if ("FirstPreInterviewScreen".equals(stageId)) {
            stage = stages.stream().filter(s -> "PreInterviewScreen".equals(s.get("type").asText())).findFirst()
                    .orElseThrow(() -> AshbyError.notFound("interview_stage_not_found", "Interview stage"));
        } else {
            stage = interviewStages.get(stageId);
            if (stage == null || !plan.equals(stage.get("interviewPlanId").asText())) {
                throw AshbyError.notFound("interview_stage_not_found", "Interview stage");
            }
        }
        if (sourceId != null && sources.get(sourceId) == null) {
            throw AshbyError.invalidInput("Unknown sourceId '" + sourceId + "'");
        }
        if (creditedToUserId != null && users.get(creditedToUserId) == null) {
            throw AshbyError.invalidInput("Unknown creditedToUserId '" + creditedToUserId + "'");
        }
        Instant at = createdAt != null ? createdAt : now();
        ObjectNode app = Json.object();
        app.put("id", Ids.uuid());
        app.put("createdAt", Json.iso(at));
        app.put("updatedAt", Json.iso(now()));
        app.put("status", statusForStageType(stage.get("type").asText()));
        app.set("customFields", Json.array());
        app.put("_candidateId", candidateId);
        app.put("_jobId", jobId);
        app.put("_planId", plan);
        app.put("_stageId", stage.get("id").asText());
        app.put("_sourceId", sourceId);
        app.put("_creditedToUserId", creditedToUserId);
        app.putNull("appliedViaJobPostingId");
        app.putNull("archivedAt");
        app.set("_history", Json.array().add(newHistoryEntry(stage, at, actorId)));
        applications.put(app);
        ((ArrayNode) cand.get("applicationIds")).add(app.get("id").asText());
        cand.put("updatedAt", Json.iso(now()));
        candidates.touch(candidateId);
        return app;
    }

    /**
     * application.changeStage semantics: validates everything before changing anything, so the stage is unchanged
     * on any error; schedules the archive email; records history with the actor; fires webhooks.
     */
    synchronized ObjectNode changeStage(String applicationId, String stageId, String archiveReasonId,
                                        String templateId, Instant sendAt, boolean hasArchiveEmail,
                                        String actorId) {
        ObjectNode app = applications.get(applicationId);
        if (app == null) {
            throw AshbyError.notFound("application_not_found", "Application");
        }
        ObjectNode stage = interviewStages.get(stageId);
        if (stage == null) {
            throw AshbyError.notFound("interview_stage_not_found", "Interview stage");
        }
        if (!app.get("_planId").asText().equals(stage.get("interviewPlanId").asText())) {
            throw AshbyError.notFound("interview_stage_not_found", "Interview stage in the application's plan");
        }
        boolean archivedTarget = "Archived".equals(stage.get("type").asText());
        ObjectNode reason = null;
        if (archivedTarget) {
            if (archiveReasonId == null) {
                throw AshbyError.invalidInput("Archive reason ID is required for archive stages");
            }
            reason = archiveReasons.get(archiveReasonId);
            if (reason == null) {
                throw AshbyError.notFound("archive_reason_not_found", "Archive reason");
            }
        } else if (archiveReasonId != null || hasArchiveEmail) {
            throw AshbyError.invalidInput("Archive fields are not allowed for non-archive stages");
        }
        ObjectNode cand = candidates.get(app.get("_candidateId").asText());
        boolean alreadyArchived = "Archived".equals(app.get("status").asText());
        if (hasArchiveEmail) {
            if (templateId == null) {
                throw AshbyError.invalidInput("Missing required field 'archiveEmail.communicationTemplateId'");
            }
            ObjectNode template = templates.get(templateId);
            if (template == null) {
                throw AshbyError.notFound("communication_template_not_found", "Communication template");
            }
            boolean email = false;
            for (JsonNode t : template.get("intendedTypes")) {
                email |= "email".equals(t.asText());
            }
            if (!email || template.path("_isArchived").asBoolean()) {
                throw new AshbyError("communication_template_not_allowed",
                        "Communication template cannot be used to send an archive email");
            }
            if (!cand.has("primaryEmailAddress")) {
                throw AshbyError.invalidInput("Candidate has no primary email address to send the archive email to");
            }
        }
        Instant now = now();
        ArrayNode history = (ArrayNode) app.get("_history");
        if (!history.isEmpty()) {
            ((ObjectNode) history.get(history.size() - 1)).put("leftStageAt", Json.iso(now));
        }
        history.add(newHistoryEntry(stage, now, actorId));
        app.put("_stageId", stageId);
        String status = statusForStageType(stage.get("type").asText());
        app.put("status", status);
        if (archivedTarget) {
            app.put("_archiveReasonId", archiveReasonId);
            app.put("archivedAt", Json.iso(now));
        } else {
            app.remove("_archiveReasonId");
            app.putNull("archivedAt");
        }
        app.put("updatedAt", Json.iso(now));
        applications.touch(applicationId);
        if (hasArchiveEmail && !alreadyArchived) {
            Instant when = sendAt == null ? nextMorning(now) : (sendAt.isBefore(now) ? now : sendAt);
            scheduledEmails.add(new ScheduledEmail(applicationId, cand.get("id").asText(),
                    cand.get("primaryEmailAddress").get("value").asText(), templateId, when, actorId));
        }
        ObjectNode rendered = renderApplication(app, true);
        ObjectNode data = Json.object().set("application", rendered);
        if ("Hired".equals(status)) {
            ObjectNode hire = Json.object();
            hire.set("application", rendered);
            hire.putNull("offer");
            fire(new WebhookSender.Event("candidateHire", hire), new WebhookSender.Event("candidateStageChange", data),
                    new WebhookSender.Event("applicationUpdate", data));
        } else {
            fire(new WebhookSender.Event("candidateStageChange", data),
                    new WebhookSender.Event("applicationUpdate", data));
        }
        return app;
    }

    /** sendAt omitted: the next 09:32 in the organization's timezone. */
    Instant nextMorning(Instant now) {
        ZonedDateTime local = now.atZone(timezone);
        ZonedDateTime candidate = local.with(LocalTime.of(9, 32)).withSecond(0).withNano(0);
        if (!candidate.isAfter(local)) {
            candidate = candidate.plusDays(1);
        }
        return candidate.toInstant();
    }

    /** Fires one or more related webhook actions that share one webhookActionId. */
    void fire(WebhookSender.Event... related) {
        List<ObjectNode> hooks = webhooks.all().stream().filter(h -> !h.path("_notDelivering").asBoolean()).toList();
        if (hooks.isEmpty()) {
            return;
        }
        webhookSender.fire(hooks.stream().map(Json::publicView).toList(), Ids.uuid(), related);
    }

    // ---- what Ashby's UI does (test-only operations) --------------------------------------------------------------

    /**
     * A recruiter uploads a file to the candidate's profile in the UI: it joins {@code fileHandles} (as the resume too,
     * when {@code asResume}) and the candidate's {@code updatedAt} moves, as {@code candidate.uploadFile} does. Returns
     * the file handle as the candidate lists it ({@code id}, {@code name}, {@code handle}).
     */
    public synchronized ObjectNode attachFile(String candidateId, String name, String contentType, byte[] bytes, boolean asResume) {
        ObjectNode cand = candidates.get(candidateId);
        if (cand == null) {
            throw new IllegalArgumentException("no candidate " + candidateId);
        }
        String fileId = Ids.uuid();
        String handle = FileEndpoints.handle(asResume ? "ResumeFile" : "CandidateFile", fileId);
        filesByHandle.put(handle, new StoredFile(fileId, handle, name, contentType, bytes));
        ObjectNode fh = Json.object().put("id", fileId).put("name", name).put("handle", handle);
        if (asResume) {
            cand.set("resumeFileHandle", fh);
        }
        ((ArrayNode) cand.get("fileHandles")).add(fh.deepCopy());
        cand.put("updatedAt", Json.iso(now()));
        candidates.touch(candidateId);
        return fh.deepCopy();
    }

    /** Deletes a candidate and their applications (UI only in Ashby); fires candidateDelete. */
    public synchronized void deleteCandidate(String candidateId) {
        ObjectNode cand = candidates.remove(candidateId);
        if (cand == null) {
            throw new IllegalArgumentException("no candidate " + candidateId);
        }
        for (JsonNode appId : cand.get("applicationIds")) {
            applications.remove(appId.asText());
        }
        fire(new WebhookSender.Event("candidateDelete", Json.object().set("candidate",
                Json.object().put("id", candidateId))));
    }

    /** Merges {@code deletedId} into {@code survivingId}: applications, emails and tags move; fires candidateMerge. */
    public synchronized void mergeCandidates(String deletedId, String survivingId) {
        ObjectNode gone = candidates.get(deletedId);
        ObjectNode keep = candidates.get(survivingId);
        if (gone == null || keep == null) {
            throw new IllegalArgumentException("both candidates must exist");
        }
        for (JsonNode appId : gone.get("applicationIds")) {
            ObjectNode app = applications.get(appId.asText());
            app.put("_candidateId", survivingId);
            app.put("updatedAt", Json.iso(now()));
            applications.touch(appId.asText());
            ((ArrayNode) keep.get("applicationIds")).add(appId.asText());
        }
        for (JsonNode email : gone.get("emailAddresses")) {
            boolean known = false;
            for (JsonNode e : keep.get("emailAddresses")) {
                known |= e.get("value").asText().equalsIgnoreCase(email.get("value").asText());
            }
            if (!known) {
                ObjectNode copy = email.deepCopy();
                copy.put("isPrimary", false);
                ((ArrayNode) keep.get("emailAddresses")).add(copy);
            }
        }
        notes.regroup(deletedId, survivingId);
        keep.put("updatedAt", Json.iso(now()));
        candidates.touch(survivingId);
        candidates.remove(deletedId);
        mergedInto.put(deletedId, survivingId);
        ObjectNode data = Json.object();
        data.set("deletedCandidate", Json.object().put("id", deletedId));
        data.set("mergedCandidate", Json.object().put("id", survivingId));
        fire(new WebhookSender.Event("candidateMerge", data));
    }

    /** Moves an application as a recruiter would in the UI (attributed to the API key user). */
    public synchronized ObjectNode moveStage(String applicationId, String stageId, String archiveReasonId) {
        return renderApplication(changeStage(applicationId, stageId, archiveReasonId, null, null, false,
                apiKeyUserId), true);
    }

    /** Moves the application to its plan's Hired stage; fires candidateHire + candidateStageChange + applicationUpdate. */
    public synchronized ObjectNode hire(String applicationId) {
        ObjectNode app = applications.get(applicationId);
        String hiredStage = stagesOfPlan(app.get("_planId").asText()).stream()
                .filter(s -> "Hired".equals(s.get("type").asText())).findFirst().orElseThrow()
                .get("id").asText();
        return moveStage(applicationId, hiredStage, null);
    }

    /**
     * A fault, not Ashby's behaviour: from now on Ashby answers the candidate with {@code field} holding {@code value}
     * as given (an {@code updatedAt} that is no timestamp, say); the candidate counts as changed for sync tokens.
     */
    public synchronized void answerCandidateFieldVerbatim(String candidateId, String field, String value) {
        ObjectNode candidate = candidates.get(candidateId).deepCopy();
        candidate.put(field, value);
        candidates.put(candidate);
    }

    /**
     * A fault: listings leave the record out while it still exists (as a listing paged over minutes can miss a record
     * that moved between its pages); {@code *.info} still answers it.
     */
    public synchronized void missFromListings(String id) {
        missedByListings.add(id);
    }

    synchronized boolean missedByListings(String id) {
        return missedByListings.contains(id);
    }

    /** A recruiter adds the candidate to a job by hand; fires applicationSubmit. */
    public synchronized ObjectNode addApplicationManually(String candidateId, String jobId) {
        ObjectNode app = createApplication(candidateId, jobId, null, null, null, null, null, apiKeyUserId);
        ObjectNode rendered = renderApplication(app, true);
        fire(new WebhookSender.Event("applicationSubmit", Json.object().set("application", rendered)));
        return rendered;
    }

    public synchronized void publishJobPosting(String jobPostingId) {
        setPostingListed(jobPostingId, true, "jobPostingPublish");
    }

    public synchronized void unpublishJobPosting(String jobPostingId) {
        setPostingListed(jobPostingId, false, "jobPostingUnpublish");
    }

    private void setPostingListed(String jobPostingId, boolean listed, String action) {
        ObjectNode posting = jobPostings.get(jobPostingId);
        posting.put("isListed", listed);
        posting.put("_published", listed);
        posting.put("updatedAt", Json.iso(now()));
        jobPostings.touch(jobPostingId);
        ObjectNode data = Json.object().set("jobPosting", Json.publicView(posting));
        fire(new WebhookSender.Event(action, data), new WebhookSender.Event("jobPostingUpdate", data));
    }

    /**
     * Creates a job in the UI, as a Draft with the plan, location, department and hiring team of {@code likeJobId};
     * fires jobCreate.
     */
    public synchronized ObjectNode createJob(String title, String likeJobId) {
        ObjectNode job = jobs.get(likeJobId).deepCopy();
        String id = Ids.uuid();
        job.put("id", id);
        job.put("title", title);
        job.put("status", "Draft");
        job.remove("openedAt");
        job.remove("closedAt");
        job.set("jobPostingIds", Json.array());
        job.put("createdAt", Json.iso(now()));
        job.put("updatedAt", Json.iso(now()));
        jobs.put(job);
        fire(new WebhookSender.Event("jobCreate", Json.object().set("job", Json.publicView(job))));
        return Json.publicView(job);
    }

    /**
     * Adds a webhook in the admin UI, the only place some types can be chosen (jobCreate, jobUpdate); pinged and
     * saved disabled when the ping is not answered 2xx, as webhook.create does.
     */
    public ObjectNode addWebhookInUi(String webhookType, String requestUrl, String secretToken) {
        if (!WebhookEndpoints.TYPES.contains(webhookType)) {
            throw new IllegalArgumentException("not a webhook type: " + webhookType);
        }
        ObjectNode hook = Json.object().put("id", Ids.uuid()).put("requestUrl", requestUrl)
                .put("secretToken", secretToken).put("webhookType", webhookType);
        // pinged outside the organization's lock: the endpoint may call back into it
        hook.put("enabled", webhookSender.ping(hook));
        synchronized (this) {
            webhooks.put(hook);
        }
        return Json.publicView(hook);
    }

    /** Renames a job in the UI; fires jobUpdate. */
    public synchronized void updateJobTitle(String jobId, String title) {
        ObjectNode job = jobs.get(jobId);
        job.put("title", title);
        job.put("updatedAt", Json.iso(now()));
        jobs.touch(jobId);
        fire(new WebhookSender.Event("jobUpdate", Json.object().set("job", Json.publicView(job))));
    }

    /** Switches a job to another interview plan; fires interviewPlanTransition + jobUpdate. */
    public synchronized void transitionInterviewPlan(String jobId, String toPlanId) {
        ObjectNode job = jobs.get(jobId);
        String fromPlanId = job.get("defaultInterviewPlanId").asText();
        job.put("defaultInterviewPlanId", toPlanId);
        ArrayNode planIds = (ArrayNode) job.get("interviewPlanIds");
        planIds.add(toPlanId);
        job.put("updatedAt", Json.iso(now()));
        jobs.touch(jobId);
        ObjectNode data = Json.object();
        data.put("jobId", jobId);
        data.set("fromInterviewPlan", Json.object().put("id", fromPlanId)
                .put("title", interviewPlans.get(fromPlanId).get("title").asText()));
        data.set("toInterviewPlan", Json.object().put("id", toPlanId)
                .put("title", interviewPlans.get(toPlanId).get("title").asText()));
        ArrayNode mappings = data.putArray("interviewStageMappings");
        List<ObjectNode> from = stagesOfPlan(fromPlanId);
        List<ObjectNode> to = stagesOfPlan(toPlanId);
        for (int i = 0; i < Math.min(from.size(), to.size()); i++) {
            mappings.add(Json.object().put("fromInterviewStageId", from.get(i).get("id").asText())
                    .put("toInterviewStageId", to.get(i).get("id").asText()));
        }
        fire(new WebhookSender.Event("interviewPlanTransition", data),
                new WebhookSender.Event("jobUpdate", Json.object().set("job", Json.publicView(job))));
    }

    /**
     * Random recruiter activity for demos and soak tests: stage moves, hires, rejections, new manual applications.
     */
    public synchronized void randomActivity(Random random, int actions) {
        List<ObjectNode> apps = applications.all();
        List<ObjectNode> cands = candidates.all();
        List<ObjectNode> jobList = jobs.all();
        List<ObjectNode> reasons = archiveReasons.all();
        for (int i = 0; i < actions && !apps.isEmpty(); i++) {
            ObjectNode app = apps.get(random.nextInt(apps.size()));
            if (!applications.all().contains(app) || "Archived".equals(app.get("status").asText())
                    || "Hired".equals(app.get("status").asText())) {
                continue;
            }
            List<ObjectNode> stages = stagesOfPlan(app.get("_planId").asText());
            int roll = random.nextInt(10);
            if (roll < 6) {
                ObjectNode target = stages.get(random.nextInt(stages.size()));
                String type = target.get("type").asText();
                String reason = "Archived".equals(type) ? reasons.get(random.nextInt(reasons.size()))
                        .get("id").asText() : null;
                moveStage(app.get("id").asText(), target.get("id").asText(), reason);
            } else if (roll < 7) {
                hire(app.get("id").asText());
            } else if (!cands.isEmpty() && !jobList.isEmpty()) {
                addApplicationManually(cands.get(random.nextInt(cands.size())).get("id").asText(),
                        jobList.get(random.nextInt(jobList.size())).get("id").asText());
            }
        }
    }
}
