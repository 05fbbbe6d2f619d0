package io.ashbysync.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.http.HttpRequest;
import io.ashbysync.http.HttpResponse;
import io.ashbysync.http.HttpRoute;
import io.ashbysync.platform.Deadline;
import io.ashbysync.tenant.InvalidTenantConfigException;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The admin routes of the HTTP function, all behind IAM authorisation in {@code template.yaml} (the webhook route
 * stays open). Each answers JSON ({@code {"message": …}} on errors naming the field), except the HTML status page.
 */
@ApplicationScoped
public class AdminRoutes {
    private static final Logger LOG = Logger.getLogger(AdminRoutes.class);
    static final int DEFAULT_REQUESTS_PER_MINUTE = TenantConfig.DEFAULT_REQUESTS_PER_MINUTE;

    private final TenantOperations operations;
    private final StatusReport status;
    private final DeadLetters deadLetters;
    private final Replay replay;
    private final OpsConfig config;
    private final ObjectMapper mapper;

    public AdminRoutes(TenantOperations operations, StatusReport status, DeadLetters deadLetters, Replay replay, OpsConfig config,
                       ObjectMapper mapper) {
        this.operations = operations;
        this.status = status;
        this.deadLetters = deadLetters;
        this.replay = replay;
        this.config = config;
        this.mapper = mapper;
    }

    private record Route(String routeKey, Function<HttpRequest, HttpResponse> handler) implements HttpRoute {
        @Override
        public HttpResponse handle(HttpRequest request) {
            return handler.apply(request);
        }
    }

    private HttpRoute route(String routeKey, Function<HttpRequest, HttpResponse> handler) {
        return new Route(routeKey, request -> {
            LOG.infof("admin %s by %s", routeKey, request.callerArn() == null ? "unsigned caller" : request.callerArn());
            try {
                return handler.apply(request);
            } catch (OpsException e) {
                return HttpResponse.message(e.status(), e.getMessage());
            } catch (AshbyException.Unavailable | AshbyException.RateLimited | AshbyException.WriteOutcomeUnknown e) {
                return HttpResponse.message(502, "Ashby did not answer: " + e.getMessage() + " (nothing half-done is left; try again)");
            } catch (AshbyException e) {
                return HttpResponse.message(502, "Ashby refused: " + e.getMessage());
            } catch (InvalidTenantConfigException e) {
                return HttpResponse.message(409, e.getMessage() + ": mend the config row, or offboard the tenant");
            } catch (Deadline.Exceeded e) {
                return HttpResponse.message(503, "out of time: " + e.getMessage() + " (nothing half-done is left; try again)");
            }
        });
    }

    @Produces @Singleton
    HttpRoute onboard() {
        return route("POST /admin/tenants", request -> {
            JsonNode body = body(request);
            String tenantId = text(body, "tenantId");
            int perMinute = body.has("requestsPerMinute") ? integer(body, "requestsPerMinute") : DEFAULT_REQUESTS_PER_MINUTE;
            String base = body.hasNonNull("webhookBaseUrl") ? text(body, "webhookBaseUrl") : webhookBase(request);
            TenantOperations.Onboarded done = operations.onboard(tenantId, text(body, "apiKey"), perMinute, checkedBase(base));
            return json(201, done);
        });
    }

    @Produces @Singleton
    HttpRoute offboard() {
        return route("DELETE /admin/tenants/{tenantId}", request -> {
            TenantOperations.Offboarded done = operations.offboard(request.pathParameter("tenantId"));
            return json(done.complete() ? 200 : 202, done);
        });
    }

    @Produces @Singleton
    HttpRoute pause() {
        return route("POST /admin/tenants/{tenantId}/pause",
                request -> json(200, operations.setStatus(request.pathParameter("tenantId"), TenantStatus.PAUSED)));
    }

    @Produces @Singleton
    HttpRoute resume() {
        return route("POST /admin/tenants/{tenantId}/resume",
                request -> json(200, operations.setStatus(request.pathParameter("tenantId"), TenantStatus.ACTIVE)));
    }

    @Produces @Singleton
    HttpRoute rotateApiKey() {
        return route("PUT /admin/tenants/{tenantId}/api-key",
                request -> json(200, operations.rotateApiKey(request.pathParameter("tenantId"), text(body(request), "apiKey"))));
    }

    @Produces @Singleton
    HttpRoute rotateWebhookSecret() {
        return route("POST /admin/tenants/{tenantId}/webhook-secret/rotate",
                request -> json(200, operations.rotateWebhookSecret(request.pathParameter("tenantId"))));
    }

    @Produces @Singleton
    HttpRoute checkWebhooks() {
        return route("POST /admin/tenants/{tenantId}/webhooks/check",
                request -> json(200, operations.checkWebhooks(request.pathParameter("tenantId"))));
    }

    @Produces @Singleton
    HttpRoute tenantStatus() {
        return route("GET /admin/tenants/{tenantId}/status", request -> json(200, status.tenant(request.pathParameter("tenantId"))));
    }

    @Produces @Singleton
    HttpRoute statusPage() {
        return route("GET /admin/status", request -> HttpResponse.html(200, StatusPage.render(status.all())));
    }

    @Produces @Singleton
    HttpRoute replay() {
        return route("POST /admin/tenants/{tenantId}/replay", request -> {
            operations.existing(request.pathParameter("tenantId"));
            return json(202, replay.start(request.pathParameter("tenantId")));
        });
    }

    @Produces @Singleton
    HttpRoute deadLetterList() {
        return route("GET /admin/dead-letters/{queue}", request -> json(200, deadLetters.peek(request.pathParameter("queue"))));
    }

    @Produces @Singleton
    HttpRoute deadLetterRedrive() {
        return route("POST /admin/dead-letters/{queue}/redrive", request -> {
            String max = request.queryParameters().getOrDefault("max", "100");
            int limit;
            try {
                limit = Integer.parseInt(max);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 10_000) throw new OpsException(400, "max: a whole number from 1 to 10000");
            return json(200, deadLetters.redrive(request.pathParameter("queue"), limit));
        });
    }

    // ---- request and response helpers ----------------------------------------------------------------------------

    /** The HTTP API's own address (the admin request came through it), unless configured. */
    private String webhookBase(HttpRequest request) {
        if (config.webhookBaseUrl().isPresent()) return config.webhookBaseUrl().get();
        String host = request.header("host");
        if (host == null) throw new OpsException(400, "webhookBaseUrl: required (the request has no Host header)");
        String scheme = request.header("x-forwarded-proto") == null ? "https" : request.header("x-forwarded-proto");
        return scheme + "://" + host;
    }

    /** Ashby calls https URLs; plain http only to this machine (the dev stack and tests). */
    private static String checkedBase(String base) {
        boolean https = base.startsWith("https://");
        boolean loopback = base.startsWith("http://127.0.0.1") || base.startsWith("http://localhost");
        if (!https && !loopback) throw new OpsException(400, "webhookBaseUrl: must be an https URL");
        return base;
    }

    private JsonNode body(HttpRequest request) {
        JsonNode body;
        try {
            body = mapper.readTree(request.rawBody());
        } catch (IOException e) {
            throw new OpsException(400, "body: not JSON");
        }
        if (body == null || !body.isObject()) throw new OpsException(400, "body: a JSON object is required");
        return body;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) throw new OpsException(400, field + ": a non-empty string is required");
        return value.asText();
    }

    private static int integer(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) throw new OpsException(400, field + ": a whole number is required");
        return value.asInt();
    }

    private HttpResponse json(int statusCode, Object value) {
        try {
            return HttpResponse.json(statusCode, mapper.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("answer cannot be written as JSON", e);
        }
    }
}
