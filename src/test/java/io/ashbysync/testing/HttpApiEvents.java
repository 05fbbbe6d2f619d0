package io.ashbysync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
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
 * What an HTTP API with a Lambda proxy integration (payload format 2.0) does around a function: matches a request to
 * a route key ({@code METHOD /path/{param}}), turns it into the v2 event (the body's bytes kept exactly, base64 when
 * they are not UTF-8, because a webhook signature covers them), and maps the function's response back to HTTP. Used
 * by the dev stack's HTTP API and by the tests' bridge to the function under test.
 */
public final class HttpApiEvents {
    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)}");
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT_ID = "000000000000";
    private static final String API_ID = "local";

    private HttpApiEvents() {}

    /** One route key, with its path as a pattern that has a group per parameter. */
    public record Route(String routeKey, String method, Pattern path, List<String> parameters) {
        public static Route of(String routeKey) {
            String[] methodAndPath = routeKey.split(" ", 2);
            List<String> parameters = new ArrayList<>();
            Matcher m = PARAMETER.matcher(methodAndPath[1]);
            StringBuilder regex = new StringBuilder();
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(methodAndPath[1].substring(last, m.start()))).append("([^/]+)");
                parameters.add(m.group(1));
                last = m.end();
            }
            regex.append(Pattern.quote(methodAndPath[1].substring(last)));
            return new Route(routeKey, methodAndPath[0], Pattern.compile(regex.toString()), List.copyOf(parameters));
        }

        /** The path parameters when the request is this route's; empty otherwise. */
        public Optional<Map<String, String>> match(HttpExchange exchange) {
            Matcher m = path.matcher(exchange.getRequestURI().getRawPath());
            if (!method.equals(exchange.getRequestMethod()) || !m.matches()) return Optional.empty();
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < parameters.size(); i++) {
                values.put(parameters.get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
            }
            return Optional.of(values);
        }
    }

    /** An HTTP answer as API Gateway sends it. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
        private static final Map<String, String> JSON_TYPE = Map.of("Content-Type", "application/json");

        public static Answer json(int status, String body) {
            return new Answer(status, JSON_TYPE, body.getBytes(StandardCharsets.UTF_8));
        }

        /** API Gateway's answer to a path no route matches. */
        public static Answer notFound() {
            return json(404, "{\"message\":\"Not Found\"}");
        }
    }

    /** The v2 event API Gateway builds for a proxy integration. */
    public static String event(HttpExchange exchange, String routeKey, Map<String, String> pathParameters, byte[] body) {
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
                .flatMap(q -> Arrays.stream(q.split("&"))).filter(p -> !p.isEmpty())
                .forEach(p -> {
                    String[] kv = p.split("=", 2);
                    String name = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
                    String value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                    query.put(name, query.has(name) ? query.get(name).asText() + "," + value : value);
                });
        ObjectNode context = event.putObject("requestContext")
                .put("accountId", ACCOUNT_ID)
                .put("apiId", API_ID)
                .put("domainName", Optional.ofNullable(exchange.getRequestHeaders().getFirst("Host")).orElse("127.0.0.1"))
                .put("domainPrefix", API_ID)
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
     * API Gateway's mapping of a function's successful answer: a JSON object with statusCode is a full response; any
     * other JSON is a 200 with that JSON as body; anything else is a 500.
     */
    public static Answer fromPayload(byte[] payload) {
        JsonNode response;
        try {
            response = JSON.readTree(payload);
        } catch (IOException notJson) {
            return Answer.json(500, "{\"message\":\"Internal Server Error\"}");
        }
        if (response == null || !response.isObject() || !response.has("statusCode")) {
            return new Answer(200, Answer.JSON_TYPE, payload);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        response.path("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
        JsonNode body = response.path("body");
        byte[] bytes = body.isMissingNode() || body.isNull() ? new byte[0]
                : response.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(body.asText())
                : body.asText().getBytes(StandardCharsets.UTF_8);
        return new Answer(response.get("statusCode").asInt(), headers, bytes);
    }

    public static void send(HttpExchange exchange, Answer answer) throws IOException {
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().put(name, List.of(value)));
        exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
        if (answer.body().length > 0) {
            exchange.getResponseBody().write(answer.body());
        }
    }

    private static Optional<String> utf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException notUtf8) {
            return Optional.empty();
        }
    }
}
