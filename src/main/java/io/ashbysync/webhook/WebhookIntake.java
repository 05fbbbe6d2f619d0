package io.ashbysync.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.tenant.TenantIds;
import io.ashbysync.tenant.TenantSecrets;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import org.jboss.logging.Logger;

/**
 * Checks one Ashby delivery for a tenant and decides the HTTP answer: 404 unknown tenant, 413 too large, 401 bad
 * signature (Ashby does not retry a 401, which is right for forgeries), 400 not JSON, 200 otherwise.
 */
@ApplicationScoped
public class WebhookIntake {
    /** Ashby's payloads are a few KB; anything this large is not one of them. */
    public static final int MAX_BODY_BYTES = 256 * 1024;
    private static final Logger LOG = Logger.getLogger(WebhookIntake.class);

    public record Answer(int status, String message) {}

    private final TenantStore tenants;
    private final TenantSecrets secrets;
    private final ObjectMapper mapper;

    public WebhookIntake(TenantStore tenants, TenantSecrets secrets, ObjectMapper mapper) {
        this.tenants = tenants;
        this.secrets = secrets;
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
        LOG.infof("verified webhook action=%s webhookActionId=%s", payload.get("action").asText(),
                payload.path("webhookActionId").asText("-"));
        return new Answer(200, "ok");
    }
}
