package io.ashbysync.ops;

import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.WebhookSetting;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.webhook.WebhookSilence;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Ashby webhooks the product created for a tenant. Ashby has no {@code webhook.list}, so each id is kept in the
 * tenants table ({@code pk=TENANT#<id>, sk=WEBHOOK#<webhookId>}: type, URL, enabled, last check) — without it a
 * webhook could never be updated or deleted again.
 */
@ApplicationScoped
public class TenantWebhooks {
    /** The events the product consumes and Ashby lets an API key subscribe to. */
    public static final List<String> TYPES = List.of("applicationSubmit", "applicationUpdate", "candidateStageChange",
            "candidateHire", "candidateDelete", "candidateMerge", "jobPostingUpdate");
    /** Useful events Ashby offers only in its admin UI (not in webhook.create's enum). */
    public static final List<String> MANUAL_TYPES = List.of("jobCreate", "jobUpdate");
    static final String SK_PREFIX = "WEBHOOK#";
    private static final Logger LOG = Logger.getLogger(TenantWebhooks.class);

    /** A saved webhook; {@code enabled} as Ashby last reported it. */
    public record Saved(String webhookId, String webhookType, String requestUrl, boolean enabled, Instant checkedAt) {}

    /**
     * What a health check found and did for one webhook: {@code ok}, {@code re-enabled}, {@code recreated},
     * {@code still-disabled}, or {@code silent} (enabled in Ashby, nothing to re-enable, but not delivering: reported,
     * with {@code hint} saying what to look at).
     */
    public record Checked(String webhookType, String webhookId, String outcome, String hint) {}

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final WebhookSilence silence;

    public TenantWebhooks(DynamoDbClient dynamo, AwsResources resources, WebhookSilence silence) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.silence = silence;
    }

    /** What an operator reads about a silent webhook, on the status page and in the check's answer. */
    static String silentHint(WebhookSilence.Activity activity, String requestUrl) {
        String heard = activity.lastDeliveryAt() != null ? "its last delivery arrived " + activity.lastDeliveryAt()
                : "nothing has arrived since it was set up" + (activity.watchedSince() == null ? "" : " (" + activity.watchedSince() + ")");
        return "webhook " + activity.webhookType() + " is enabled in Ashby but silent: " + heard + ", yet the poller found a change of its kind "
                + "made " + activity.unannouncedChangeAt() + " that no webhook brought. Look at the webhook's deliveries in Ashby "
                + "(Admin → Integrations → Webhooks) and check that " + requestUrl + " is reachable from Ashby; "
                + "meanwhile the poller keeps the mirror current, only later";
    }

    public static String webhookUrl(String baseUrl, String tenantId) {
        return baseUrl.replaceAll("/+$", "") + "/webhooks/ashby/" + tenantId;
    }

    /**
     * Creates one webhook per type; each id is saved as soon as Ashby returns it, so a failure half way leaves
     * only webhooks that offboarding can find and delete. Ashby pings on create and saves the webhook disabled
     * when the ping fails: the caller must have stored the secret and the config row first.
     */
    public List<Saved> createAll(AshbySession ashby, String requestUrl, String secret) {
        List<Saved> created = new ArrayList<>();
        for (String type : TYPES) {
            WebhookSetting hook = ashby.call(AshbyEndpoint.WEBHOOK_CREATE,
                    Map.of("webhookType", type, "requestUrl", requestUrl, "secretToken", secret), WebhookSetting.class);
            Saved saved = new Saved(hook.id(), type, requestUrl, hook.enabled(), Instant.now());
            save(ashby.tenantId(), saved);
            silence.watchFrom(ashby.tenantId(), type, saved.checkedAt());
            created.add(saved);
        }
        return created;
    }

    public List<Saved> saved(String tenantId) {
        List<Saved> saved = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(resources.tenantsTable()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", s(TenantStore.partitionKey(tenantId)), ":prefix", s(SK_PREFIX))))
                .items().forEach(item -> saved.add(new Saved(item.get("sk").s().substring(SK_PREFIX.length()),
                        item.get("webhookType").s(), item.get("requestUrl").s(), item.get("enabled").bool(),
                        Instant.parse(item.get("checkedAt").s()))));
        return saved;
    }

    /** Deletes every saved webhook in Ashby, then its row; returns the ids Ashby would not delete (left for a person). */
    public List<String> deleteAll(AshbySession ashby) {
        List<String> failed = new ArrayList<>();
        for (Saved hook : saved(ashby.tenantId())) {
            try {
                ashby.call(AshbyEndpoint.WEBHOOK_DELETE, Map.of("webhookId", hook.webhookId()), Object.class);
            } catch (AshbyException.Rejected refused) {
                if (!"webhook_not_found".equals(refused.code())) {
                    failed.add(hook.webhookId());
                    continue;
                }
                // someone deleted it in Ashby already, which is the state we want
            } catch (AshbyException e) {
                LOG.warnf("webhook %s (%s) could not be deleted in Ashby: %s", hook.webhookId(), hook.webhookType(), e.getMessage());
                failed.add(hook.webhookId());
                continue;
            }
            forget(ashby.tenantId(), hook.webhookId());
        }
        return failed;
    }

    /** Moves every saved webhook to a new signing secret ({@code webhook.update}). */
    public void updateSecret(AshbySession ashby, String secret) {
        for (Saved hook : saved(ashby.tenantId())) {
            WebhookSetting updated = ashby.call(AshbyEndpoint.WEBHOOK_UPDATE,
                    Map.of("webhookId", hook.webhookId(), "secretToken", secret), WebhookSetting.class);
            save(ashby.tenantId(), new Saved(hook.webhookId(), hook.webhookType(), hook.requestUrl(), updated.enabled(), Instant.now()));
        }
    }

    /**
     * Asks Ashby about every saved webhook: a disabled one (its ping failed, or someone switched it off) is enabled
     * again, which makes Ashby ping it once more; one deleted in Ashby is created again with the same URL.
     */
    public List<Checked> check(AshbySession ashby, String secret) {
        List<Checked> results = new ArrayList<>();
        Map<String, WebhookSilence.Activity> activity = new HashMap<>();
        silence.activity(ashby.tenantId()).forEach(a -> activity.put(a.webhookType(), a));
        for (Saved hook : saved(ashby.tenantId())) {
            WebhookSetting now;
            try {
                now = ashby.call(AshbyEndpoint.WEBHOOK_INFO, Map.of("webhookId", hook.webhookId()), WebhookSetting.class);
            } catch (AshbyException.Rejected refused) {
                if (!"webhook_not_found".equals(refused.code())) throw refused;
                forget(ashby.tenantId(), hook.webhookId());
                WebhookSetting again = ashby.call(AshbyEndpoint.WEBHOOK_CREATE, Map.of("webhookType", hook.webhookType(),
                        "requestUrl", hook.requestUrl(), "secretToken", secret), WebhookSetting.class);
                Saved saved = new Saved(again.id(), hook.webhookType(), hook.requestUrl(), again.enabled(), Instant.now());
                save(ashby.tenantId(), saved);
                if (again.enabled()) silence.watchFrom(ashby.tenantId(), hook.webhookType(), saved.checkedAt());
                results.add(again.enabled() ? new Checked(hook.webhookType(), again.id(), "recreated", null) : stillDisabled(hook));
                continue;
            }
            WebhookSilence.Activity seen = activity.get(hook.webhookType());
            Checked result;
            if (!now.enabled()) {
                now = ashby.call(AshbyEndpoint.WEBHOOK_UPDATE, Map.of("webhookId", hook.webhookId(), "enabled", true), WebhookSetting.class);
                if (now.enabled()) silence.watchFrom(ashby.tenantId(), hook.webhookType(), Instant.now());
                result = now.enabled() ? new Checked(hook.webhookType(), hook.webhookId(), "re-enabled", null) : stillDisabled(hook);
            } else if (seen != null && seen.silent()) {
                LOG.warnf("webhook %s (%s) of tenant %s is enabled but silent", hook.webhookId(), hook.webhookType(), ashby.tenantId());
                result = new Checked(hook.webhookType(), hook.webhookId(), "silent", silentHint(seen, hook.requestUrl()));
            } else {
                result = new Checked(hook.webhookType(), hook.webhookId(), "ok", null);
            }
            save(ashby.tenantId(), new Saved(hook.webhookId(), hook.webhookType(), hook.requestUrl(), now.enabled(), Instant.now()));
            results.add(result);
        }
        return results;
    }

    private static Checked stillDisabled(Saved hook) {
        return new Checked(hook.webhookType(), hook.webhookId(), "still-disabled", "Ashby's ping to " + hook.requestUrl()
                + " failed again: make the URL reachable from Ashby, then run the check again");
    }

    private void save(String tenantId, Saved hook) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(TenantStore.partitionKey(tenantId)));
        item.put("sk", s(SK_PREFIX + hook.webhookId()));
        item.put("webhookType", s(hook.webhookType()));
        item.put("requestUrl", s(hook.requestUrl()));
        item.put("enabled", AttributeValue.fromBool(hook.enabled()));
        item.put("checkedAt", s(hook.checkedAt().toString()));
        dynamo.putItem(r -> r.tableName(resources.tenantsTable()).item(item));
    }

    private void forget(String tenantId, String webhookId) {
        dynamo.deleteItem(r -> r.tableName(resources.tenantsTable())
                .key(Map.of("pk", s(TenantStore.partitionKey(tenantId)), "sk", s(SK_PREFIX + webhookId))));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
