package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;
import java.util.function.Predicate;

/** application.* endpoints. */
final class ApplicationEndpoints {
    private static final Set<String> STATUSES = Set.of("Hired", "Archived", "Active", "Lead");

    private ApplicationEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("application.create", "candidatesWrite", ApplicationEndpoints::create);
        r.add("application.info", "candidatesRead", c -> Call.ok(c.org.renderApplication(
                existing(c, c.requiredString("applicationId")), true)));
        r.add("application.list", "candidatesRead", ApplicationEndpoints::list);
        r.add("application.changeStage", "candidatesWrite", ApplicationEndpoints::changeStage);
        r.add("application.listHistory", "candidatesRead", ApplicationEndpoints::listHistory);
        r.add("application.update", "candidatesWrite", ApplicationEndpoints::update);
    }

    static ObjectNode existing(Call c, String applicationId) {
        ObjectNode app = c.org.applications.get(applicationId);
        if (app == null) {
            throw AshbyError.notFound("application_not_found", "Application");
        }
        return app;
    }

    private static ObjectNode create(Call c) {
        String candidateId = c.requiredString("candidateId");
        String jobId = c.requiredString("jobId");
        Instant createdAt = c.has("createdAt") ? c.instant("createdAt") : null;
        ObjectNode app = c.org.createApplication(candidateId, jobId, c.string("interviewPlanId"),
                c.string("interviewStageId"), c.string("sourceId"), c.string("creditedToUserId"), createdAt,
                c.actorUserId);
        // applicationSubmit is not fired: Ashby documents it for applications and manual adds, not integration syncs
        return Call.ok(c.org.renderApplication(app, true));
    }

    private static ObjectNode list(Call c) {
        String status = c.string("status");
        if (status != null && !STATUSES.contains(status)) {
            throw AshbyError.invalidInput("Field 'status' must be one of " + STATUSES);
        }
        String jobId = c.string("jobId");
        Predicate<ObjectNode> filter = CandidateEndpoints.createdAfter(c)
                .and(a -> status == null || status.equals(a.get("status").asText()))
                .and(a -> jobId == null || jobId.equals(a.get("_jobId").asText()));
        return c.org.syncLog.page(c, "application.list", c.org.applications, filter,
                a -> c.org.renderApplication(a, false), true);
    }

    private static ObjectNode changeStage(Call c) {
        String applicationId = c.requiredString("applicationId");
        String stageId = c.requiredString("interviewStageId");
        String reasonId = c.string("archiveReasonId");
        ObjectNode archiveEmail = c.objectField("archiveEmail");
        String templateId = null;
        Instant sendAt = null;
        if (archiveEmail != null) {
            JsonNode t = archiveEmail.get("communicationTemplateId");
            if (t == null || !t.isTextual()) {
                throw AshbyError.invalidInput("Missing required field 'archiveEmail.communicationTemplateId'");
            }
            templateId = t.asText();
            JsonNode s = archiveEmail.get("sendAt");
            if (s != null && !s.isNull()) {
                sendAt = new Call(c.simulator, c.org, c.endpoint, (ObjectNode) archiveEmail, c.actorUserId)
                        .instant("sendAt");
            }
        }
        ObjectNode app = c.org.changeStage(applicationId, stageId, reasonId, templateId, sendAt,
                archiveEmail != null, c.actorUserId);
        return Call.ok(c.org.renderApplication(app, true));
    }

    private static ObjectNode listHistory(Call c) {
        ObjectNode app = existing(c, c.requiredString("applicationId"));
        // history entries are not records of their own; page over a throwaway table of them
        EntityTable entries = new EntityTable(c.org);
        for (JsonNode h : (ArrayNode) app.get("_history")) {
            entries.put(((ObjectNode) h).deepCopy());
        }
        return c.org.syncLog.page(c, "application.listHistory:" + app.get("id").asText(), entries, h -> true,
                h -> h, false);
    }

    private static ObjectNode update(Call c) {
        ObjectNode app = existing(c, c.requiredString("applicationId"));
        String sourceId = c.string("sourceId");
        if (sourceId != null && c.org.sources.get(sourceId) == null) {
            throw AshbyError.invalidInput("Unknown sourceId '" + sourceId + "'");
        }
        String credited = c.string("creditedToUserId");
        if (credited != null && c.org.users.get(credited) == null) {
            throw AshbyError.invalidInput("Unknown creditedToUserId '" + credited + "'");
        }
        Instant createdAt = c.has("createdAt") ? c.instant("createdAt") : null;
        c.bool("sendNotifications", true);
        if (sourceId != null) {
            app.put("_sourceId", sourceId);
        }
        if (credited != null) {
            app.put("_creditedToUserId", credited);
        }
        if (createdAt != null) {
            app.put("createdAt", Json.iso(createdAt));
        }
        app.put("updatedAt", Json.iso(c.now()));
        c.org.applications.touch(app.get("id").asText());
        ObjectNode rendered = c.org.renderApplication(app, true);
        c.org.fire(new WebhookSender.Event("applicationUpdate", Json.object().set("application", rendered)));
        return Call.ok(rendered);
    }
}
