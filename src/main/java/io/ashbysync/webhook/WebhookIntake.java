package io.ashbysync.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.tenant.TenantIds;
import io.ashbysync.tenant.TenantSecrets;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.work.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Checks one Ashby delivery for a tenant, stores it, and decides the HTTP answer: 404 unknown tenant, 413 too large,
 * 401 bad signature (Ashby does not retry a 401, which is right for forgeries), 400 not JSON or missing a field the
 * action needs, 503 when it could not be stored (Ashby retries), 200 once it is on the work queue (or is a ping or an
 * action this service does not act on). Processing happens after the answer ({@link WebhookDeliveryWork}).
 */
@ApplicationScoped
public class WebhookIntake {
    /**
     * Ashby's payloads are a few KB; anything this large is not one of them. Kept well under SQS's 256 KiB message
     * limit so a stored delivery, with its envelope, always fits on the work queue.
     */
    public static final int MAX_BODY_BYTES = 200 * 1024;
    private static final Logger LOG = Logger.getLogger(WebhookIntake.class);

    public record Answer(int status, String message) {}

    private final TenantStore tenants;
    private final TenantSecrets secrets;
    private final WorkQueue work;
    private final ObjectMapper mapper;
    private final Clock clock = Clock.systemUTC();

    public WebhookIntake(TenantStore tenants, TenantSecrets secrets, WorkQueue work, ObjectMapper mapper) {
        this.tenants = tenants;
        this.secrets = secrets;
        this.work = work;
        this.mapper = mapper;
    }

    public Answer receive(String tenantId, byte[] rawBody, String signatureHeader) {
        if (!TenantIds.isValid(tenantId) || tenants.find(tenantId).isEmpty()) {
            return new Answer(404, "unknown tenant");
        }
        if (rawBody.length > MAX_BODY_BYTES) {
            return new Answer(413, "body larger than " + MAX_BODY_BYTES + " bytes");
        }
        try {
            WebhookSignature.verify(rawBody, signatureHeader, secrets.webhookSecrets(tenantId));
        } catch (WebhookSignatureException e) {
            LOG.warnf("rejected webhook for tenant %s: %s", tenantId, e.getMessage());
            return new Answer(401, "invalid signature");
        }
        JsonNode payload;
        try {
            payload = mapper.readTree(rawBody);
        } catch (JsonProcessingException e) {
            return new Answer(400, "body is not JSON");
        } catch (IOException e) {
            return new Answer(400, "body could not be read");
        }
        if (payload == null || !payload.isObject() || !payload.path("action").isTextual()) {
            return new Answer(400, "body has no 'action'");
        }
        String action = payload.get("action").asText();
        String actionId = payload.path("webhookActionId").asText("-");
        if (!WebhookDelivery.handles(action)) {
            // ping, and the types we do not subscribe to (offers, interviews, surveys...): nothing to store
            LOG.infof("webhook action=%s webhookActionId=%s answered, not acted on", action, actionId);
            return new Answer(200, "ok");
        }
        WebhookDelivery delivery;
        try {
            delivery = WebhookDelivery.parse(payload, clock.instant());
        } catch (WebhookDelivery.InvalidDeliveryException e) {
            LOG.warnf("webhook action=%s webhookActionId=%s refused: %s", action, actionId, e.getMessage());
            return new Answer(400, e.getMessage());
        }
        try {
            work.send(List.of(delivery.toWorkItem(mapper, tenantId)));
        } catch (RuntimeException e) {
            // Not stored, so not acknowledged: Ashby retries anything but 401/403/404/405/410.
            LOG.errorf(e, "webhook action=%s webhookActionId=%s could not be queued", action, actionId);
            return new Answer(503, "could not store the delivery; retry");
        }
        LOG.infof("webhook action=%s webhookActionId=%s stored", action, delivery.webhookActionId());
        return new Answer(200, "stored");
    }
}
