package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The template's HTTP API routes with a Lambda proxy integration (payload format 2.0): a request matching a route
 * key ({@code METHOD /path/{param}}) becomes an API Gateway v2 event for that route's function (the body's bytes are
 * kept exactly, base64 when they are not UTF-8, because the webhook signature covers them), and the function's
 * response (statusCode, headers, body) becomes the HTTP answer. Other paths get API Gateway's 404. IAM
 * authorisation is not enforced locally.
 */
final class HttpApiGateway implements HttpHandler {
    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)}");
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One route: its key, the path as a pattern with a group per parameter, and the function behind it. */
    record Route(String routeKey, String method, Pattern path, List<String> parameters, LocalFunction function) {
        static Route of(String routeKey, LocalFunction function) {
            String[] methodAndPath = routeKey.split(" ", 2);
            List<String> parameters = new java.util.ArrayList<>();
            Matcher m = PARAMETER.matcher(methodAndPath[1]);
            StringBuilder regex = new StringBuilder();
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(methodAndPath[1].substring(last, m.start()))).append("([^/]+)");
                parameters.add(m.group(1));
                last = m.end();
            }
            regex.append(Pattern.quote(methodAndPath[1].substring(last)));
            return new Route(routeKey, methodAndPath[0], Pattern.compile(regex.toString()), List.copyOf(parameters), function);
        }
    }

    private final List<Route> routes;
    private final String apiId = "local";

    HttpApiGateway(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Route route = null;
            Map<String, String> pathParameters = new LinkedHashMap<>();
            for (Route candidate : routes) {
                Matcher m = candidate.path().matcher(exchange.getRequestURI().getRawPath());
                if (candidate.method().equals(exchange.getRequestMethod()) && m.matches()) {
                    route = candidate;
                    for (int i = 0; i < candidate.parameters().size(); i++) {
                        pathParameters.put(candidate.parameters().get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
                    }
                    break;
                }
            }
            if (route == null) {
                send(exchange, 404, Map.of("Content-Type", "application/json"), "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            LocalFunction function = route.function();
            byte[] body = exchange.getRequestBody().readAllBytes();
            LocalLambdaRuntime.Result result = function.invoke(event(exchange, route.routeKey(), pathParameters, body));
            HttpAnswer answer = answer(result.outcome());
            DevConsole.invocation(function.name(), "http:" + exchange.getRequestURI().getRawPath(), result,
                    "status", answer.status());
            send(exchange, answer.status(), answer.headers(), answer.body());
        }
    }

    record HttpAnswer(int status, Map<String, String> headers, byte[] body) {}

    /** The v2 event API Gateway builds for a proxy integration. */
    String event(HttpExchange exchange, String routeKey, Map<String, String> pathParameters, byte[] body) {
        Optional<String> text = utf8(body);
        Instant now = Instant.now();
        String path = exchange.getRequestURI().getRawPath();
        ObjectNode event = JSON.createObjectNode()
                .put("version", "2.0")
                .put("routeKey", routeKey)
                .put("rawPath", path)
                .put("rawQueryString", Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""));
        ObjectNode headers = event.putObject("headers");
        // HTTP APIs lower-case header names and join repeated headers with commas.
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        ObjectNode parameters = event.putObject("pathParameters");
        pathParameters.forEach(parameters::put);
        ObjectNode query = event.putObject("queryStringParameters");
        // API Gateway joins repeated query parameters with commas, as it does headers.
        Optional.ofNullable(exchange.getRequestURI().getRawQuery()).stream()
                .flatMap(q -> java.util.Arrays.stream(q.split("&"))).filter(p -> !p.isEmpty())
                .forEach(p -> {
                    String[] kv = p.split("=", 2);
                    String name = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
                    String value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                    query.put(name, query.has(name) ? query.get(name).asText() + "," + value : value);
                });
        ObjectNode context = event.putObject("requestContext")
                .put("accountId", LocalFunction.ACCOUNT_ID)
                .put("apiId", apiId)
                .put("domainName", Optional.ofNullable(exchange.getRequestHeaders().getFirst("Host")).orElse("127.0.0.1"))
                .put("domainPrefix", apiId)
                .put("requestId", UUID.randomUUID().toString())
                .put("routeKey", routeKey)
                .put("stage", "$default")
                .put("time", REQUEST_TIME.format(now))
                .put("timeEpoch", now.toEpochMilli());
        context.putObject("http")
                .put("method", exchange.getRequestMethod())
                .put("path", path)
                .put("protocol", exchange.getProtocol())
                .put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress())
                .put("userAgent", Optional.ofNullable(exchange.getRequestHeaders().getFirst("User-Agent")).orElse(""));
        event.put("body", text.orElseGet(() -> Base64.getEncoder().encodeToString(body)));
        event.put("isBase64Encoded", text.isEmpty());
        return event.toString();
    }

    /**
     * API Gateway's mapping of a function's answer: a JSON object with statusCode is a full response; any other
     * payload is a 200 with that JSON as body; a function error is 500 and a timeout 503, as API Gateway answers.
     */
    static HttpAnswer answer(LocalLambdaRuntime.Outcome outcome) {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        return switch (outcome) {
            case LocalLambdaRuntime.Outcome.Failed ignored ->
                    new HttpAnswer(500, json, "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
            case LocalLambdaRuntime.Outcome.TimedOut ignored ->
                    new HttpAnswer(503, json, "{\"message\":\"Service Unavailable\"}".getBytes(StandardCharsets.UTF_8));
            case LocalLambdaRuntime.Outcome.Succeeded succeeded -> fromPayload(succeeded.payload(), json);
        };
    }

    private static HttpAnswer fromPayload(byte[] payload, Map<String, String> json) {
        JsonNode response;
        try {
            response = JSON.readTree(payload);
        } catch (IOException notJson) {
            return new HttpAnswer(500, json, "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
        }
        if (response == null || !response.isObject() || !response.has("statusCode")) {
            return new HttpAnswer(200, json, payload);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        response.path("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
        JsonNode body = response.path("body");
        byte[] bytes = body.isMissingNode() || body.isNull() ? new byte[0]
                : response.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(body.asText())
                : body.asText().getBytes(StandardCharsets.UTF_8);
        return new HttpAnswer(response.get("statusCode").asInt(), headers, bytes);
    }

    private static Optional<String> utf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException notUtf8) {
            return Optional.empty();
        }
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().put(name, List.of(value)));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }
}
