package io.ashbysync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The `http` function under test behind a real HTTP port, as API Gateway would put it: each request matching one of
 * the given route keys becomes an API Gateway v2 event for the function, and its answer becomes the HTTP response.
 * Lets a browser (the status page test) and the Ashby simulator (webhook pings during onboarding) reach the function.
 * Unmatched paths get API Gateway's 404. The events go to the handler bean in-process rather than through
 * {@link LambdaInvoker}: Quarkus' test event server runs one invocation at a time, and onboarding (one invocation)
 * waits for Ashby's pings of the webhooks it creates (more invocations).
 */
public final class HttpFunctionServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)}");

    private record Route(String routeKey, String method, Pattern path, List<String> parameters) {}

    private final HttpServer server;
    private final List<Route> routes = new ArrayList<>();

    private final Function<String, String> function;

    private HttpFunctionServer(List<String> routeKeys, Function<String, String> function) throws IOException {
        this.function = function;
        for (String key : routeKeys) routes.add(route(key));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    /** @param function takes the event's JSON, answers the function's response JSON (see {@link #inProcess}) */
    public static HttpFunctionServer start(List<String> routeKeys, Function<String, String> function) {
        try {
            return new HttpFunctionServer(routeKeys, function);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test HTTP server", e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static Route route(String routeKey) {
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
        return new Route(routeKey, methodAndPath[0], Pattern.compile(regex.toString()), parameters);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            for (Route route : routes) {
                Matcher m = route.path().matcher(path);
                if (!route.method().equals(exchange.getRequestMethod()) || !m.matches()) continue;
                Map<String, String> pathParameters = new LinkedHashMap<>();
                for (int i = 0; i < route.parameters().size(); i++) {
                    pathParameters.put(route.parameters().get(i), URLDecoder.decode(m.group(i + 1), StandardCharsets.UTF_8));
                }
                Map<String, String> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
                headers.put("x-forwarded-proto", "http");
                String event = LambdaEvents.http(route.routeKey(), path, pathParameters, query(exchange), headers,
                        exchange.getRequestBody().readAllBytes());
                JsonNode answer;
                try {
                    answer = JSON.readTree(function.apply(event));
                } catch (RuntimeException failed) {
                    // as API Gateway answers a function error; the cause goes to the test's output
                    failed.printStackTrace();
                    answer = JSON.createObjectNode().put("statusCode", 500).put("body", "{\"message\":\"Internal Server Error\"}");
                }
                answer.path("headers").properties().forEach(h -> exchange.getResponseHeaders().set(h.getKey(), h.getValue().asText()));
                JsonNode body = answer.path("body");
                byte[] bytes = body.isMissingNode() || body.isNull() ? new byte[0]
                        : answer.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(body.asText())
                        : body.asText().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(answer.path("statusCode").asInt(500), bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) exchange.getResponseBody().write(bytes);
                return;
            }
            byte[] notFound = "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, notFound.length);
            exchange.getResponseBody().write(notFound);
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) return query;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            String[] kv = pair.split("=", 2);
            query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return query;
    }

    /** Runs a v2 HTTP handler in this process, each call with its own request id. */
    public static Function<String, String> inProcess(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
        return eventJson -> {
            try {
                APIGatewayV2HTTPEvent event = JSON.readValue(eventJson, APIGatewayV2HTTPEvent.class);
                APIGatewayV2HTTPResponse response = handler.handleRequest(event, new TestContext());
                return JSON.writeValueAsString(Map.of("statusCode", response.getStatusCode(),
                        "headers", response.getHeaders() == null ? Map.of() : response.getHeaders(),
                        "body", response.getBody() == null ? "" : response.getBody()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static final class TestContext implements Context {
        private final String requestId = UUID.randomUUID().toString();

        @Override public String getAwsRequestId() { return requestId; }
        @Override public String getLogGroupName() { return "test"; }
        @Override public String getLogStreamName() { return "test"; }
        @Override public String getFunctionName() { return "http"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:http"; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return 29_000; }
        @Override public int getMemoryLimitInMB() { return 1024; }
        @Override public LambdaLogger getLogger() { return null; }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
