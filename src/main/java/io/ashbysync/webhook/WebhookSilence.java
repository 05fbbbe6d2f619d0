package io.ashbysync.webhook;

import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Tells a webhook that stopped delivering while Ashby still shows it enabled. When a webhook works, its delivery
 * puts a change into the mirror before the poller lists it, and the poller's write finds nothing new; when the
 * poller has to bring in a change that a webhook should have announced, and that change came well after the
 * webhook's last delivery, the webhook is silent.
 *
 * <p>One row per tenant and webhook type in the tenants table ({@code sk=WEBHOOKACTIVITY#<type>}, deleted with the
 * tenant's partition on offboarding): {@code lastDeliveryAt} (when the intake received a delivery, written when the
 * delivery is processed, at most once a minute per tenant, type and commands function instance), {@code watchedSince} (when the webhook was created or
 * re-enabled: one that never delivered counts from then) and {@code unannouncedChangeAt} (Ashby's time of the newest
 * change of the type's kind that the poller, not a webhook, brought into the mirror). Times are epoch milliseconds.
 *
 * <p>Only the types in {@link #JUDGED} can be judged: stage changes and hires also fire {@code applicationUpdate},
 * which brings the change, so the poller never sees them missing; Ashby sends no {@code applicationSubmit} for
 * applications created through the API, which the poller cannot tell apart.
 */
@ApplicationScoped
public class WebhookSilence {
    public static final String APPLICATION_UPDATE = "applicationUpdate";
    public static final String CANDIDATE_DELETE = "candidateDelete";
    public static final String CANDIDATE_MERGE = "candidateMerge";
    public static final String JOB_POSTING_UPDATE = "jobPostingUpdate";
    public static final Set<String> JUDGED = Set.of(APPLICATION_UPDATE, CANDIDATE_DELETE, CANDIDATE_MERGE, JOB_POSTING_UPDATE);
    static final String SK_PREFIX = "WEBHOOKACTIVITY#";
    /** The write per delivery is skipped within this of the last one: a busy webhook costs one write a minute. */
    static final Duration RECORD_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = Logger.getLogger(WebhookSilence.class);

    /** What is known of one webhook type's deliveries; {@code silent} as judged at the time asked. */
    public record Activity(String webhookType, Instant watchedSince, Instant lastDeliveryAt, Instant unannouncedChangeAt,
                           boolean silent) {}

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final WebhooksConfig config;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Instant> recorded = new ConcurrentHashMap<>();

    public WebhookSilence(DynamoDbClient dynamo, AwsResources resources, WebhooksConfig config) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.config = config;
    }

    /**
     * A delivery of this type, received by the intake at {@code receivedAt}, is being processed. Recorded by the
     * commands function, which may write the tenants table (the public webhook function only reads it). Never
     * throws: the delivery itself matters more than its bookkeeping.
     */
    public void delivered(String tenantId, String webhookType, Instant receivedAt) {
        String key = tenantId + "/" + webhookType;
        Instant last = recorded.get(key);
        if (last != null && receivedAt.isBefore(last.plus(RECORD_EVERY))) return;
        recorded.put(key, receivedAt);
        try {
            dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, webhookType))
                    .updateExpression("SET lastDeliveryAt = :at")
                    .conditionExpression("attribute_not_exists(lastDeliveryAt) OR lastDeliveryAt < :at")
                    .expressionAttributeValues(Map.of(":at", millis(receivedAt))));
        } catch (ConditionalCheckFailedException newerKnown) {
            // a later delivery (a retry processed out of order) is recorded already
        } catch (RuntimeException e) {
            recorded.remove(key);
            LOG.warnf("last delivery of webhook %s for tenant %s not recorded: %s", webhookType, tenantId, e.getMessage());
        }
    }

    /** The webhook was created or enabled again: it is judged from now on, not for what it missed before. */
    public void watchFrom(String tenantId, String webhookType, Instant since) {
        dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, webhookType))
                .updateExpression("SET watchedSince = :at").expressionAttributeValues(Map.of(":at", millis(since))));
    }

    /** The poller brought in a change of this type's kind that no webhook had (Ashby's time of the change). */
    public void pollerApplied(String tenantId, String webhookType, Instant changedAt) {
        try {
            dynamo.updateItem(r -> r.tableName(resources.tenantsTable()).key(key(tenantId, webhookType))
                    .updateExpression("SET unannouncedChangeAt = :at")
                    .conditionExpression("attribute_not_exists(unannouncedChangeAt) OR unannouncedChangeAt < :at")
                    .expressionAttributeValues(Map.of(":at", millis(changedAt))));
        } catch (ConditionalCheckFailedException newerKnown) {
            // a later change is recorded already
        }
    }

    /** Every webhook type with a row, each judged now. One query. */
    public List<Activity> activity(String tenantId) {
        Instant now = clock.instant();
        List<Activity> found = new ArrayList<>();
        dynamo.queryPaginator(r -> r.tableName(resources.tenantsTable()).consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)),
                                ":prefix", AttributeValue.fromS(SK_PREFIX))))
                .items().forEach(item -> {
                    String type = item.get("sk").s().substring(SK_PREFIX.length());
                    Instant watched = instant(item, "watchedSince");
                    Instant delivered = instant(item, "lastDeliveryAt");
                    Instant unannounced = instant(item, "unannouncedChangeAt");
                    found.add(new Activity(type, watched, delivered, unannounced, silent(type, watched, delivered, unannounced, now)));
                });
        return found;
    }

    /**
     * Silent: the poller brought in a change of the type's kind made more than the grace after the later of the last
     * delivery and the start of watching, and the grace has passed since that change (its delivery may be on its way).
     */
    private boolean silent(String type, Instant watched, Instant delivered, Instant unannounced, Instant now) {
        if (!JUDGED.contains(type) || unannounced == null) return false;
        Instant heardOf = Instant.EPOCH;
        if (watched != null && watched.isAfter(heardOf)) heardOf = watched;
        if (delivered != null && delivered.isAfter(heardOf)) heardOf = delivered;
        Duration grace = config.silenceGrace();
        return unannounced.isAfter(heardOf.plus(grace)) && !now.isBefore(unannounced.plus(grace));
    }

    private static Map<String, AttributeValue> key(String tenantId, String webhookType) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put("pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)));
        key.put("sk", AttributeValue.fromS(SK_PREFIX + webhookType));
        return key;
    }

    private static AttributeValue millis(Instant at) {
        return AttributeValue.fromN(Long.toString(at.toEpochMilli()));
    }

    private static Instant instant(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value.n()));
    }
}
