package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP server that behaves like Ashby's public API (see shared/ashby-api.md): Basic auth with the API key
 * as username, module permissions, version headers, Ashby's error envelopes, sliding-window rate limits, scripted
 * faults and latency, and a request log tests use to check what a client sent.
 */
public final class AshbySimulator implements AutoCloseable {
    public static final String API_VERSION = "2026-01-01";
    static final String UPLOAD_PATH = "/_files/upload/";
    static final String DOWNLOAD_PATH = "/_files/download/";
    private static final List<String> LOGGED_HEADERS =
            List.of("Ashby-Version", "X-On-Behalf-Of", "Content-Type", "User-Agent", "Accept", "Idempotency-Key");

    private final SimulatorOptions options;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<String, Route> routes = new HashMap<>();
    private final Map<String, SimulatedOrganization> orgsByKey = new ConcurrentHashMap<>();
    private final FaultPlan faults = new FaultPlan();
    private final List<RequestRecord> requestLog = new CopyOnWriteArrayList<>();
    private final List<ContractViolation> contractViolations = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Instant>> admittedByKey = new HashMap<>();
    private final Deque<Instant> admittedForPartner = new ArrayDeque<>();
    private final FileEndpoints files;
    private final WebhookSender webhookSender;
    private volatile int rateLimitPerMinute;
    private volatile int partnerRateLimitPerMinute;
    private volatile Integer retryAfterSeconds;
    private volatile Duration latencyMin = Duration.ZERO;
    private volatile Duration latencyMax = Duration.ZERO;
    private volatile boolean versionDeprecated;
    private volatile boolean validateRequests;

    private record Route(String permission, Endpoint handler) {}

    /** A request body that does not match the endpoint's request schema in the OpenAPI document. */
    public record ContractViolation(String endpoint, String body, List<String> problems) {}

    private AshbySimulator(SimulatorOptions options) throws IOException {
        this.options = options;
        this.rateLimitPerMinute = options.rateLimitPerMinute;
        this.partnerRateLimitPerMinute = options.partnerRateLimitPerMinute;
        this.retryAfterSeconds = options.retryAfterSeconds;
        this.validateRequests = options.validateRequests;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port), 0);
        this.files = new FileEndpoints(this);
        this.webhookSender = new WebhookSender(options.webhookSecondLength, options.webhookTimeout);
        Endpoint.Registry registry = (name, permission, handler) -> routes.put(name, new Route(permission, handler));
        CandidateEndpoints.register(registry);
        ApplicationEndpoints.register(registry);
        JobEndpoints.register(registry);
        InterviewEndpoints.register(registry);
        HiringMetadataEndpoints.register(registry);
        OrganizationEndpoints.register(registry);
        files.register(registry);
        ApiKeyEndpoints.register(registry);
        WebhookEndpoints.register(registry);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static AshbySimulator start() {
        return start(SimulatorOptions.defaults());
    }

    public static AshbySimulator start(SimulatorOptions options) {
        try {
            return new AshbySimulator(options);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Ashby simulator", e);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        webhookSender.close();
        executor.shutdownNow();
    }

    /** e.g. http://127.0.0.1:54321 — use in place of https://api.ashbyhq.com. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public SimulatedOrganization createOrganization(String apiKey) {
        SimulatedOrganization org = new SimulatedOrganization(apiKey, options.clock, webhookSender);
        if (orgsByKey.putIfAbsent(apiKey, org) != null) {
            throw new IllegalArgumentException("an organization already uses this API key");
        }
        return org;
    }

    public SimulatedOrganization organization(String apiKey) {
        return orgsByKey.get(apiKey);
    }

    public FaultPlan faults() {
        return faults;
    }

    /** Requests per sliding 60-second window per API key; 0 = unlimited. */
    public void setRateLimit(int perMinute) {
        this.rateLimitPerMinute = perMinute;
    }

    /** Requests per sliding 60-second window across all keys (the integration-partner limit); 0 = unlimited. */
    public void setPartnerRateLimit(int perMinute) {
        this.partnerRateLimitPerMinute = perMinute;
    }

    /** Retry-After seconds on 429s from the rate limiter; null sends none (Ashby does not promise the header). */
    public void setRetryAfterSeconds(Integer seconds) {
        this.retryAfterSeconds = seconds;
    }

    public void setLatency(Duration fixed) {
        setLatency(fixed, fixed);
    }

    /** Uniformly random latency in [min, max] on every API request. */
    public void setLatency(Duration min, Duration max) {
        this.latencyMin = min;
        this.latencyMax = max;
    }

    /** Makes responses say Ashby-Version-Status: deprecated. */
    public void setVersionDeprecated(boolean deprecated) {
        this.versionDeprecated = deprecated;
    }

    public void setValidateRequests(boolean on) {
        this.validateRequests = on;
    }

    public List<RequestRecord> requestLog() {
        return List.copyOf(requestLog);
    }

    public List<RequestRecord> requestLog(String endpoint) {
        return requestLog.stream().filter(r -> endpoint.equals(r.endpoint())).toList();
    }

    public long requestCount(String apiKey) {
        return requestLog.stream().filter(r -> apiKey.equals(r.apiKey())).count();
    }

    /** The most requests {@code apiKey} sent within any window of length {@code window}. */
    public int maxRequestsInAnySlidingWindow(String apiKey, Duration window) {
        List<Instant> times = requestLog.stream().filter(r -> apiKey.equals(r.apiKey()))
                .map(RequestRecord::receivedAt).sorted().toList();
        int best = 0;
        int start = 0;
        for (int end = 0; end < times.size(); end++) {
            while (!times.get(start).plus(window).isAfter(times.get(end))) {
                start++;
            }
            best = Math.max(best, end - start + 1);
        }
        return best;
    }

    public List<ContractViolation> contractViolations() {
        return List.copyOf(contractViolations);
    }

    public WebhookSender webhookSender() {
        return webhookSender;
    }

    Clock clock() {
        return options.clock;
    }

    Duration downloadUrlLifetime() {
        return options.downloadUrlLifetime;
    }

    FileEndpoints files() {
        return files;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith(UPLOAD_PATH) || path.startsWith(DOWNLOAD_PATH)) {
            files.serveStorage(exchange, path);
            return;
        }
        Instant receivedAt = options.clock.instant();
        String requestId = Ids.requestId(receivedAt.toEpochMilli());
        String endpoint = path.startsWith("/") ? path.substring(1) : path;
        String body = readBody(exchange.getRequestBody());
        String apiKey = basicAuthUsername(exchange.getRequestHeaders().getFirst("Authorization"));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : LOGGED_HEADERS) {
            String v = exchange.getRequestHeaders().getFirst(h);
            if (v != null) {
                headers.put(h, v);
            }
        }
        exchange.getResponseHeaders().set("x-ashby-request-id", requestId);
        exchange.getResponseHeaders().set("Ashby-Version", API_VERSION);
        exchange.getResponseHeaders().set("Ashby-Version-Status", versionDeprecated ? "deprecated" : "active");
        Outcome outcome;
        try {
            outcome = process(exchange, endpoint, body, apiKey, requestId, receivedAt);
        } catch (RuntimeException e) {
            outcome = Outcome.json(500, error("internal_error", "Simulator failure: " + e, requestId));
        }
        requestLog.add(new RequestRecord(receivedAt, endpoint, apiKey, Map.copyOf(headers), body,
                outcome.status, outcome.errorCode));
        if (outcome.drop) {
            // Throwing out of the handler makes the JDK server close the connection without a response.
            throw new IOException("simulated dropped connection");
        }
        if (outcome.delayAfterApply != null) {
            awaitQuietly(outcome.delayAfterApply);
        }
        byte[] bytes = outcome.body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", outcome.contentType);
        outcome.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        try {
            exchange.sendResponseHeaders(outcome.status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException clientGone) {
            // the client timed out while a delayed response was pending: nothing to answer
        } finally {
            exchange.close();
        }
    }

    private static final class Outcome {
        int status;
        String body;
        String contentType = "application/json; charset=utf-8";
        String errorCode;
        boolean drop;
        Duration delayAfterApply;
        final Map<String, String> headers = new LinkedHashMap<>();

        static Outcome json(int status, ObjectNode body) {
            Outcome o = new Outcome();
            o.status = status;
            o.body = Json.write(body);
            JsonNode info = body.get("errorInfo");
            o.errorCode = info == null ? null : info.path("code").asText(null);
            return o;
        }
    }

    private Outcome process(HttpExchange exchange, String endpoint, String body, String apiKey, String requestId,
                            Instant receivedAt) {
        if (apiKey == null) {
            Outcome o = new Outcome();
            o.status = 401;
            o.contentType = "text/plain; charset=utf-8";
            o.body = "Unauthorized: send your API key as the Basic auth username with an empty password.";
            o.errorCode = "unauthorized";
            return o;
        }
        SimulatedOrganization org = orgsByKey.get(apiKey);
        if (org == null || !org.apiKeyActive()) {
            // [inferred] code name; Ashby documents only the 403 status for a wrong or deactivated key
            return Outcome.json(403, error("invalid_api_key", "The API key is invalid or has been deactivated",
                    requestId));
        }
        Route route = routes.get(endpoint);
        if (route == null || !"POST".equals(exchange.getRequestMethod())) {
            return Outcome.json(404, error("not_found", "Unknown endpoint '" + endpoint + "'", requestId));
        }
        Outcome limited = admit(apiKey, receivedAt, requestId);
        if (limited != null) {
            return limited;
        }
        Fault fault = faults.take(endpoint, body);
        if (fault != null && !fault.applyFirst()) {
            Outcome faulted = beforeApplyFault(fault, requestId);
            if (faulted != null) {
                return faulted;
            }
        }
        simulateLatency();
        Outcome outcome = apply(org, endpoint, route, body, requestId, exchange.getRequestHeaders().getFirst(
                "X-On-Behalf-Of"), exchange.getRequestHeaders().getFirst("Ashby-Version"));
        if (fault != null && fault.applyFirst()) {
            if (fault.kind() == Fault.Kind.DROP_CONNECTION) {
                outcome.drop = true;
                outcome.status = 0;
            } else {
                outcome.delayAfterApply = fault.delay();
            }
        }
        return outcome;
    }

    private Outcome apply(SimulatedOrganization org, String endpoint, Route route, String body, String requestId,
                          String onBehalfOf, String requestedVersion) {
        if (!org.permissions().contains(route.permission)) {
            return Outcome.json(403, error("missing_endpoint_permission",
                    "The API key is missing the " + route.permission + " permission required by " + endpoint,
                    requestId));
        }
        if (requestedVersion != null && !API_VERSION.equals(requestedVersion.trim())) {
            // [inferred] code name; Ashby says removed/unknown versions selected by header are rejected
            return Outcome.json(200, error("invalid_api_version",
                    "API version '" + requestedVersion + "' is not supported", requestId));
        }
        ObjectNode request;
        try {
            JsonNode parsed = body.isBlank() ? Json.object() : Json.parse(body);
            if (!parsed.isObject()) {
                return Outcome.json(200, error("invalid_input", "Request payload is malformed", requestId));
            }
            request = (ObjectNode) parsed;
        } catch (RuntimeException e) {
            return Outcome.json(200, error("invalid_input", "Request payload is malformed", requestId));
        }
        if (validateRequests) {
            List<String> problems = OpenApiContract.shared().validateRequest(endpoint, request);
            if (!problems.isEmpty()) {
                contractViolations.add(new ContractViolation(endpoint, body, problems));
                return Outcome.json(200, error("invalid_input", problems.get(0), requestId));
            }
        }
        synchronized (org) {
            String actor = org.apiKeyUserId();
            if (onBehalfOf != null) {
                if (!org.allowsOnBehalfOf()) {
                    // [inferred] code and status: the key lacks "Allow acting on behalf of a user"
                    return Outcome.json(403, error("on_behalf_of_not_allowed",
                            "The API key is not allowed to act on behalf of a user", requestId));
                }
                if (org.users.get(onBehalfOf.trim()) == null) {
                    // [inferred] Ashby does not document the error for an unknown X-On-Behalf-Of user
                    return Outcome.json(200, error("user_not_found", "User not found: " + onBehalfOf, requestId));
                }
                actor = onBehalfOf.trim();
            }
            try {
                ObjectNode response = route.handler.handle(new Call(this, org, endpoint, request, actor));
                return Outcome.json(200, withoutNulls(response));
            } catch (AshbyError e) {
                return Outcome.json(200, error(e.code(), e.getMessage(), requestId));
            }
        }
    }

    private Outcome admit(String apiKey, Instant now, String requestId) {
        Instant windowStart = now.minus(Duration.ofSeconds(60));
        synchronized (admittedByKey) {
            int partnerLimit = partnerRateLimitPerMinute;
            if (partnerLimit > 0) {
                trim(admittedForPartner, windowStart);
                if (admittedForPartner.size() >= partnerLimit) {
                    return rateLimitOutcome(true, retryAfterSeconds, requestId);
                }
            }
            Deque<Instant> mine = admittedByKey.computeIfAbsent(apiKey, k -> new ArrayDeque<>());
            int limit = rateLimitPerMinute;
            if (limit > 0) {
                trim(mine, windowStart);
                if (mine.size() >= limit) {
                    return rateLimitOutcome(false, retryAfterSeconds, requestId);
                }
            }
            mine.addLast(now);
            admittedForPartner.addLast(now);
            return null;
        }
    }

    private static void trim(Deque<Instant> times, Instant windowStart) {
        while (!times.isEmpty() && !times.peekFirst().isAfter(windowStart)) {
            times.pollFirst();
        }
    }

    private Outcome rateLimitOutcome(boolean partner, Integer retryAfter, String requestId) {
        Outcome o = Outcome.json(429, error("rate_limit_exceeded", partner
                ? "Rate limit exceeded for the integration partner's combined traffic"
                : "Rate limit exceeded for this API key", requestId));
        if (partner) {
            o.headers.put("X-RateLimit-Scope", "integration-partner");
        }
        if (retryAfter != null) {
            o.headers.put("Retry-After", Integer.toString(retryAfter));
        }
        return o;
    }

    private Outcome beforeApplyFault(Fault fault, String requestId) {
        switch (fault.kind()) {
            case STATUS -> {
                return Outcome.json(fault.status(), error(fault.status() >= 500 ? "internal_server_error" : "error",
                        "Simulated HTTP " + fault.status(), requestId));
            }
            case RATE_LIMITED -> {
                return rateLimitOutcome(false, fault.retryAfterSeconds(), requestId);
            }
            case PARTNER_RATE_LIMITED -> {
                return rateLimitOutcome(true, fault.retryAfterSeconds(), requestId);
            }
            case DROP_CONNECTION -> {
                Outcome o = new Outcome();
                o.drop = true;
                o.body = "";
                return o;
            }
            case DELAY -> {
                awaitQuietly(fault.delay());
                return null;
            }
            case HTML -> {
                Outcome o = new Outcome();
                o.status = fault.status();
                o.contentType = "text/html; charset=utf-8";
                o.body = "<html><head><title>" + fault.status() + " Bad Gateway</title></head><body><center><h1>"
                        + fault.status() + " Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>";
                return o;
            }
            case RAW_BODY -> {
                Outcome o = new Outcome();
                o.status = fault.status();
                o.body = fault.body();
                return o;
            }
            case REJECTED -> {
                String[] codeAndMessage = fault.body().split("\n", 2);
                return Outcome.json(200, error(codeAndMessage[0], codeAndMessage[1], requestId));
            }
            default -> throw new IllegalStateException(fault.kind().toString());
        }
    }

    private void simulateLatency() {
        long min = latencyMin.toNanos();
        long max = latencyMax.toNanos();
        if (max > 0) {
            long nanos = max > min ? ThreadLocalRandom.current().nextLong(min, max + 1) : min;
            awaitQuietly(Duration.ofNanos(nanos));
        }
    }

    /** Simulated time passing on a request thread; cut short when the simulator closes. */
    private void awaitQuietly(Duration d) {
        try {
            closed.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Unset fields are left out of responses. Real Ashby responses show some of them as null, but the published
     * schema types most of them as plain object/string; the simulator keeps to the schema, and a client must
     * accept both absence and null anyway.
     */
    private static ObjectNode withoutNulls(ObjectNode node) {
        java.util.Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            JsonNode value = fields.next().getValue();
            if (value.isNull()) {
                fields.remove();
            } else if (value.isObject()) {
                withoutNulls((ObjectNode) value);
            } else if (value.isArray()) {
                value.forEach(e -> {
                    if (e.isObject()) {
                        withoutNulls((ObjectNode) e);
                    }
                });
            }
        }
        return node;
    }

    static ObjectNode error(String code, String message, String requestId) {
        ObjectNode r = Json.object();
        r.put("success", false);
        r.set("errors", Json.array().add(code));
        ObjectNode info = r.putObject("errorInfo");
        info.put("code", code);
        info.put("message", message);
        info.put("requestId", requestId);
        return r;
    }

    private static String basicAuthUsername(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String user = colon < 0 ? decoded : decoded.substring(0, colon);
            return user.isEmpty() ? null : user;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String readBody(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    List<SimulatedOrganization> organizations() {
        return new ArrayList<>(orgsByKey.values());
    }
}
