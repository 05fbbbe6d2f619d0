package io.ashbysync.ops;

import io.ashbysync.platform.AwsResources;
import io.ashbysync.poll.SyncState;
import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.webhook.WebhookSilence;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What operators see per tenant and stream, read from the rows the poller, onboarding and webhooks keep. */
@ApplicationScoped
public class StatusReport {
    /**
     * One listing of the sync. {@code records}: applied in the current (or last) pass; {@code lastFullCount}: size at
     * the last full pass; {@code lastSuccessAt}: when it last drained.
     */
    public record Stream(String name, boolean inPass, long records, long lastFullCount, Instant lastFullAt, Instant lastSuccessAt) {}

    /** A saved webhook: {@code enabled} as Ashby last said; {@code lastDeliveryAt} to the minute; {@code silent}: see {@link WebhookSilence}. */
    public record Webhook(String webhookId, String webhookType, boolean enabled, Instant checkedAt, Instant lastDeliveryAt, boolean silent) {}

    public record Tenant(String tenantId, String status, int requestsPerMinute, String phase, Instant runStartedAt,
                         Instant updatedAt, long recordsThisRun, long recordsPerMinute, Long etaSeconds,
                         long candidatesInPass, long candidatesLastFullPass, Instant lastSuccessAt, Long lagSeconds,
                         Instant lastErrorAt, String lastError, List<String> hints, List<Stream> streams,
                         List<Webhook> webhooks, List<Quarantine.Item> quarantined) {}

    /** @param visible waiting, {@code inFlight} being worked on, {@code delayed} not yet due */
    public record Queue(String name, boolean deadLetter, long visible, long inFlight, long delayed) {}

    /** @param unreadableTenants tenants whose config row cannot be used: left out of every pass until it is mended */
    public record Report(Instant generatedAt, List<Tenant> tenants, List<Queue> queues, List<TenantStore.UnreadableConfig> unreadableTenants) {}

    private final TenantStore tenants;
    private final SyncState state;
    private final TenantWebhooks webhooks;
    private final WebhookSilence silence;
    private final TenantOperations operations;
    private final Quarantine quarantine;
    private final SqsClient sqs;
    private final AwsResources resources;
    private final OpsConfig config;
    private final Clock clock = Clock.systemUTC();

    public StatusReport(TenantStore tenants, SyncState state, TenantWebhooks webhooks, WebhookSilence silence, TenantOperations operations,
                        Quarantine quarantine, SqsClient sqs, AwsResources resources, OpsConfig config) {
        this.quarantine = quarantine;
        this.tenants = tenants;
        this.state = state;
        this.webhooks = webhooks;
        this.silence = silence;
        this.operations = operations;
        this.sqs = sqs;
        this.resources = resources;
        this.config = config;
    }

    public Report all() {
        Instant now = clock.instant();
        TenantStore.Registry registry = tenants.registry();
        return new Report(now, registry.tenants().stream().map(t -> tenant(t, now)).toList(), queues(), registry.unreadable());
    }

    public Tenant tenant(String tenantId) {
        return tenant(operations.existing(tenantId), clock.instant());
    }

    private Tenant tenant(TenantConfig config, Instant now) {
        String id = config.tenantId();
        Map<String, AttributeValue> status = state.status(id);
        Map<String, SyncState.Health> health = state.health(id);
        SyncState.Health poller = health.get(SyncHealth.POLLER);
        Map<String, Long> applied = new LinkedHashMap<>();
        Optional.ofNullable(status.get("streams")).map(AttributeValue::m)
                .ifPresent(m -> m.forEach((name, n) -> applied.put(name, Long.parseLong(n.n()))));
        List<Stream> streams = new ArrayList<>();
        state.cursors(id).forEach((name, c) -> streams.add(new Stream(name, c.inPass(), c.passRecords(), c.lastFullCount(), c.lastFullAt(),
                Optional.ofNullable(health.get(name)).map(SyncState.Health::lastSuccessAt).orElse(null))));
        List<String> hints = new ArrayList<>();
        health.values().stream().filter(h -> h.hint() != null).forEach(h -> hints.add(h.part() + ": " + h.hint()));
        operations.missingPermissions(id).orElse(List.of()).forEach(p -> hints.add(KeyPermissions.missing(p).sentence()));
        Map<String, WebhookSilence.Activity> activity = new LinkedHashMap<>();
        silence.activity(id).forEach(a -> activity.put(a.webhookType(), a));
        List<Webhook> hooks = new ArrayList<>();
        for (TenantWebhooks.Saved saved : webhooks.saved(id)) {
            WebhookSilence.Activity seen = activity.get(saved.webhookType());
            boolean silent = saved.enabled() && seen != null && seen.silent();
            if (!saved.enabled()) {
                hints.add("webhook " + saved.webhookType() + " is disabled in Ashby: run the webhook check (POST /admin/tenants/" + id
                        + "/webhooks/check)");
            } else if (silent) {
                hints.add(TenantWebhooks.silentHint(seen, saved.requestUrl()));
            }
            hooks.add(new Webhook(saved.webhookId(), saved.webhookType(), saved.enabled(), saved.checkedAt(),
                    seen == null ? null : seen.lastDeliveryAt(), silent));
        }
        List<Quarantine.Item> quarantined = quarantine.list(id);
        if (!quarantined.isEmpty()) {
            hints.add(quarantined.size() + " item(s) set aside as unusable (below); the rest of the sync goes on. They are retried on"
                    + " every pass and released once Ashby answers them well");
        }
        Instant lastSuccess = poller == null ? null : poller.lastSuccessAt();
        return new Tenant(id, config.status().name(), config.requestsPerMinute(), str(status, "phase"), instant(status, "runStartedAt"),
                instant(status, "updatedAt"), num(status, "recordsThisRun"), num(status, "recordsPerMinute"),
                status.containsKey("etaSeconds") ? num(status, "etaSeconds") : null, num(status, "candidatesInPass"),
                num(status, "candidatesLastFullPass"), lastSuccess,
                lastSuccess == null ? null : Duration.between(lastSuccess, now).toSeconds(),
                poller == null ? null : poller.lastErrorAt(), poller == null ? null : poller.lastError(), hints, streams, hooks, quarantined);
    }

    private List<Queue> queues() {
        List<Queue> queues = new ArrayList<>();
        queues.add(queue("commands", false, resources.commandsQueueUrl()));
        queues.add(queue("work", false, resources.workQueueUrl()));
        queues.add(queue("events", false, resources.eventsQueueUrl()));
        config.commandsDeadLetterQueueUrl().ifPresent(url -> queues.add(queue("commands-dlq", true, url)));
        config.workDeadLetterQueueUrl().ifPresent(url -> queues.add(queue("work-dlq", true, url)));
        config.eventsDeadLetterQueueUrl().ifPresent(url -> queues.add(queue("events-dlq", true, url)));
        return queues;
    }

    private Queue queue(String name, boolean deadLetter, String url) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return new Queue(name, deadLetter, count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    private static long count(Map<QueueAttributeName, String> attributes, QueueAttributeName name) {
        String value = attributes.get(name);
        return value == null ? 0 : Long.parseLong(value);
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(str(item, name)).map(Instant::parse).orElse(null);
    }

    private static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }
}
