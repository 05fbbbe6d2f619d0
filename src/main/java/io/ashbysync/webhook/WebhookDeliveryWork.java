package io.ashbysync.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.idempotency.IdempotencyStore;
import io.ashbysync.mirror.RecordFields;
import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.work.WorkHandler;
import io.ashbysync.work.WorkItem;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Processes a stored delivery once per {@code webhookActionId} and tenant: Ashby's retries of a delivery and the
 * related webhooks of one change (a stage change also fires applicationUpdate; a hire fires both) share that id,
 * and one refresh from Ashby serves them all. The id is taken in the idempotency table with a conditional write and
 * marked done only after the change is applied: a failure releases it and throws, so the work queue's retry runs
 * it again; a copy arriving while another holds it is dropped, because the holder's own message stays on the queue
 * until it succeeds.
 */
@ApplicationScoped
public class WebhookDeliveryWork implements WorkHandler {
    private static final Logger LOG = Logger.getLogger(WebhookDeliveryWork.class);
    /** Related webhooks carry different bodies under one id; they are one change, so the stored hash is constant. */
    private static final String ONE_CHANGE = "webhookAction";

    private final IdempotencyStore idempotency;
    private final TenantStore tenants;
    private final WebhookChanges changes;
    private final WebhookSilence silence;
    private final Quarantine quarantine;
    private final WebhooksConfig config;
    private final ObjectMapper mapper;
    private final Clock clock = Clock.systemUTC();

    public WebhookDeliveryWork(IdempotencyStore idempotency, TenantStore tenants, WebhookChanges changes, WebhookSilence silence,
                               Quarantine quarantine, WebhooksConfig config, ObjectMapper mapper) {
        this.idempotency = idempotency;
        this.quarantine = quarantine;
        this.tenants = tenants;
        this.changes = changes;
        this.silence = silence;
        this.config = config;
        this.mapper = mapper;
    }

    @Override
    public String type() {
        return WebhookDelivery.WORK_TYPE;
    }

    /** The idempotency record's id for one webhook action of a tenant. */
    static String dedupId(String webhookActionId) {
        return "webhook:" + webhookActionId;
    }

    /** Related webhooks (one action, several deliveries) in one batch run in turn: the first applies, the rest see it done. */
    @Override
    public String serialKey(WorkItem item) {
        return WebhookDelivery.fromWorkItem(item).webhookActionId();
    }

    @Override
    public void handle(WorkItem item) {
        WebhookDelivery delivery = WebhookDelivery.fromWorkItem(item);
        String tenantId = item.tenantId();
        Optional<TenantConfig> tenant = tenants.find(tenantId);
        if (tenant.isEmpty() || !tenant.get().status().mirrorsAshby()) {
            // the poller does not sync such a tenant either; it catches up when the tenant is mirrored again
            LOG.infof("webhook %s %s dropped: tenant is not mirrored", delivery.action(), delivery.webhookActionId());
            return;
        }
        // before the de-duplication: each related delivery of one change is its own webhook type arriving
        silence.delivered(tenantId, delivery.action(), delivery.receivedAt());
        String id = dedupId(delivery.webhookActionId());
        IdempotencyStore.Begin begin = idempotency.begin(tenantId, id, ONE_CHANGE, clock.instant(),
                config.processingLease(), config.dedupRetention());
        switch (begin) {
            case IdempotencyStore.Started started -> { }
            case IdempotencyStore.AlreadyCompleted done -> {
                LOG.infof("webhook %s %s already processed (a retry or a related webhook)", delivery.action(), delivery.webhookActionId());
                return;
            }
            case IdempotencyStore.InProgressElsewhere busy -> {
                LOG.infof("webhook %s %s is being processed by another invocation", delivery.action(), delivery.webhookActionId());
                return;
            }
            case IdempotencyStore.PayloadMismatch mismatch ->
                    throw new IllegalStateException("idempotency record " + id + " belongs to something else");
        }
        try {
            changes.apply(tenant.get(), delivery);
        } catch (RecordFields.MalformedRecordException malformed) {
            // retrying cannot mend Ashby's answer: set aside (the poller applies the record once it parses)
            quarantine.record(tenantId, "webhook:" + delivery.action(),
                    malformed.recordId() != null ? malformed.recordId() : delivery.webhookActionId(), malformed.getMessage());
        } catch (RuntimeException e) {
            idempotency.release(tenantId, id);
            throw e;
        }
        Instant done = clock.instant();
        idempotency.complete(tenantId, id, mapper.createObjectNode().put("action", delivery.action())
                .put("processedAt", done.toString()));
        LOG.infof("webhook %s %s processed %d ms after it was received", delivery.action(), delivery.webhookActionId(),
                Duration.between(delivery.receivedAt(), done).toMillis());
    }
}
