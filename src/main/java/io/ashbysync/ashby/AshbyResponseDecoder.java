package io.ashbysync.ashby;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Turns one HTTP exchange with Ashby into the envelope's JSON or a typed {@link AshbyException}. Ashby answers most
 * client errors with HTTP 200 and {@code success:false}, so the status alone says little; the body is always checked.
 */
final class AshbyResponseDecoder {
    static final String REQUEST_ID_HEADER = "x-ashby-request-id";
    static final String RATE_LIMIT_SCOPE_HEADER = "X-RateLimit-Scope";
    static final String PARTNER_SCOPE = "integration-partner";

    private final ObjectMapper mapper;

    AshbyResponseDecoder(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** @param header case-insensitive header lookup, returning null when absent */
    JsonNode decode(AshbyEndpoint endpoint, int status, UnaryOperator<String> header, String body) {
        String headerRequestId = header.apply(REQUEST_ID_HEADER);
        JsonNode root = parse(body);
        String requestId = firstNonBlank(text(root, "errorInfo", "requestId"), headerRequestId);
        if (status == 401) {
            throw new AshbyException.Unauthorized(endpoint.path(), "unauthorized",
                    "Ashby rejected the request: no API key was accepted", requestId, status);
        }
        if (status == 403) {
            ErrorDetails error = errorDetails(root);
            if ("missing_endpoint_permission".equals(error.code())) {
                throw new AshbyException.MissingPermission(endpoint.path(), endpoint.permission(),
                        "the tenant's Ashby key lacks the " + endpoint.permission() + " permission", requestId);
            }
            throw new AshbyException.Unauthorized(endpoint.path(), error.code() != null ? error.code() : "forbidden",
                    "Ashby refused the API key (unknown or deactivated)", requestId, status);
        }
        if (status == 429) {
            ErrorDetails error = errorDetails(root);
            boolean partner = PARTNER_SCOPE.equalsIgnoreCase(header.apply(RATE_LIMIT_SCOPE_HEADER));
            throw new AshbyException.RateLimited(endpoint.path(),
                    error.code() != null ? error.code() : "rate_limit_exceeded",
                    partner ? "Ashby is throttling the integration across all organizations" : "Ashby rate limit reached",
                    requestId, retryAfter(header.apply("Retry-After")), partner);
        }
        if (status >= 500) {
            throw new AshbyException.Unavailable(endpoint.path(), "server_error", "Ashby answered HTTP " + status,
                    requestId, status, true, null);
        }
        if (status != 200) {
            throw new AshbyException.MalformedResponse(endpoint.path(), "unexpected HTTP status " + status,
                    requestId, status, null);
        }
        if (root == null || !root.isObject()) {
            throw new AshbyException.MalformedResponse(endpoint.path(),
                    "response body is not a JSON object: " + preview(body), requestId, status, null);
        }
        JsonNode success = root.get("success");
        if (success == null || !success.isBoolean()) {
            throw new AshbyException.MalformedResponse(endpoint.path(),
                    "response has no boolean 'success' field: " + preview(body), requestId, status, null);
        }
        if (success.booleanValue()) {
            if (!root.has("results")) {
                throw new AshbyException.MalformedResponse(endpoint.path(), "successful response has no 'results'",
                        requestId, status, null);
            }
            return root;
        }
        throw failure(endpoint, root, requestId);
    }

    private static AshbyException failure(AshbyEndpoint endpoint, JsonNode root, String requestId) {
        ErrorDetails error = errorDetails(root);
        String code = error.code() != null ? error.code() : "unknown_error";
        String message = error.message() != null ? error.message() : code;
        if (AshbyException.SyncStateExpired.CODES.contains(code)) {
            return new AshbyException.SyncStateExpired(endpoint.path(), code, message, requestId);
        }
        if ("missing_endpoint_permission".equals(code)) {
            return new AshbyException.MissingPermission(endpoint.path(), endpoint.permission(), message, requestId);
        }
        if ("rate_limit_exceeded".equals(code) || "concurrent_limit_exceeded".equals(code)) {
            return new AshbyException.RateLimited(endpoint.path(), code, message, requestId, null, false);
        }
        return new AshbyException.Rejected(endpoint.path(), code, message, requestId, error.codes());
    }

    record ErrorDetails(String code, String message, List<String> codes) {}

    /**
     * Reads `errorInfo` and the deprecated `errors` array, which comes as strings (the spec) or as objects with
     * `code`/`message`/`parameter` (seen in the wild).
     */
    static ErrorDetails errorDetails(JsonNode root) {
        List<String> codes = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        JsonNode errors = root == null ? null : root.get("errors");
        if (errors != null && errors.isArray()) {
            for (JsonNode e : errors) {
                if (e.isTextual()) {
                    codes.add(e.asText());
                } else if (e.isObject()) {
                    String code = e.path("code").asText(null);
                    String message = e.path("message").asText(null);
                    String parameter = e.path("parameter").asText(null);
                    if (code != null) codes.add(code);
                    if (message != null) messages.add(parameter != null ? parameter + ": " + message : message);
                }
            }
        }
        String code = firstNonBlank(text(root, "errorInfo", "code"), codes.isEmpty() ? null : codes.get(0));
        if (code != null && !codes.contains(code)) codes.add(0, code);
        String message = firstNonBlank(text(root, "errorInfo", "message"),
                messages.isEmpty() ? null : String.join("; ", messages));
        return new ErrorDetails(code, message, codes);
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) return null;
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String text(JsonNode root, String object, String field) {
        if (root == null) return null;
        JsonNode value = root.path(object).path(field);
        return value.isTextual() ? value.asText() : null;
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : (b != null && !b.isBlank() ? b : null);
    }

    /** Retry-After is either delta-seconds or an HTTP date. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) return null;
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private static String preview(String body) {
        if (body == null) return "<empty>";
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine;
    }
}
