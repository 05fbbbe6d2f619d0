package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/** webhook.create / info / update / delete: a ping on create and update; saved disabled when the ping is not 2xx. */
final class WebhookEndpoints {
    static final Set<String> TYPES = Set.of("applicationSubmit", "applicationUpdate", "candidateHire",
            "candidateStageChange", "candidateDelete", "candidateMerge", "interviewPlanTransition",
            "interviewScheduleCreate", "interviewScheduleUpdate", "jobPostingUpdate", "jobPostingPublish",
            "jobPostingUnpublish", "offerCreate", "offerUpdate", "offerDelete", "pushToHRIS", "surveySubmit",
            // documented payloads, configurable in the UI; accepted here so tests can subscribe to them
            "jobCreate", "jobUpdate");

    private WebhookEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("webhook.create", "apiKeysWrite", WebhookEndpoints::create);
        r.add("webhook.update", "apiKeysWrite", WebhookEndpoints::update);
        r.add("webhook.info", "apiKeysRead", c -> {
            ObjectNode hook = c.org.webhooks.get(c.requiredString("webhookId"));
            if (hook == null) {
                throw AshbyError.notFound("webhook_not_found", "Webhook");
            }
            ObjectNode view = Json.publicView(hook);
            view.remove("secretToken"); // webhook.info's documented results carry no secret
            return Call.ok(view);
        });
        r.add("webhook.delete", "apiKeysWrite", c -> {
            String id = c.requiredString("webhookId");
            if (c.org.webhooks.remove(id) == null) {
                throw AshbyError.notFound("webhook_not_found", "Webhook");
            }
            return Call.ok(Json.object().put("webhookId", id));
        });
    }

    private static ObjectNode create(Call c) {
        String type = c.requiredString("webhookType");
        if (!TYPES.contains(type)) {
            throw AshbyError.invalidInput("Field 'webhookType' is not a valid webhook type");
        }
        ObjectNode hook = Json.object();
        hook.put("id", Ids.uuid());
        hook.put("enabled", true);
        hook.put("requestUrl", c.requiredString("requestUrl"));
        hook.put("secretToken", c.requiredString("secretToken"));
        hook.put("webhookType", type);
        hook.put("enabled", c.simulator.webhookSender().ping(hook));
        c.org.webhooks.put(hook);
        return Call.ok(Json.publicView(hook));
    }

    private static ObjectNode update(Call c) {
        ObjectNode hook = c.org.webhooks.get(c.requiredString("webhookId"));
        if (hook == null) {
            throw AshbyError.notFound("webhook_not_found", "Webhook");
        }
        if (!c.has("enabled") && !c.has("requestUrl") && !c.has("secretToken")) {
            throw AshbyError.invalidInput("Provide at least one of 'enabled', 'requestUrl', 'secretToken'");
        }
        boolean enabled = c.bool("enabled", hook.get("enabled").asBoolean());
        ObjectNode next = hook.deepCopy();
        if (c.has("requestUrl")) {
            next.put("requestUrl", c.string("requestUrl"));
        }
        if (c.has("secretToken")) {
            next.put("secretToken", c.string("secretToken"));
        }
        next.put("enabled", enabled && c.simulator.webhookSender().ping(next));
        hook.setAll(next);
        c.org.webhooks.touch(hook.get("id").asText());
        return Call.ok(Json.publicView(hook));
    }
}
