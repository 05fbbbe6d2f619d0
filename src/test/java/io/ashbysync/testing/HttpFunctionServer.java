package io.ashbysync.testing;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Function;

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
    private final HttpServer server;
    private final List<HttpApiEvents.Route> routes = new ArrayList<>();

    private final Function<String, String> function;

    private HttpFunctionServer(List<String> routeKeys, Function<String, String> function) throws IOException {
        this.function = function;
        for (String key : routeKeys) routes.add(HttpApiEvents.Route.of(key));
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

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            for (HttpApiEvents.Route route : routes) {
                Optional<Map<String, String>> pathParameters = route.match(exchange);
                if (pathParameters.isEmpty()) continue;
                Map<String, String> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
                headers.put("x-forwarded-proto", "http");
                String event = LambdaEvents.http(route.routeKey(), exchange.getRequestURI().getRawPath(), pathParameters.get(),
                        query(exchange), headers, exchange.getRequestBody().readAllBytes());
                HttpApiEvents.Answer answer;
                try {
                    answer = HttpApiEvents.fromPayload(function.apply(event).getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException failed) {
                    // as API Gateway answers a function error; the cause goes to the test's output
                    failed.printStackTrace();
                    answer = HttpApiEvents.Answer.json(500, "{\"message\":\"Internal Server Error\"}");
                }
                HttpApiEvents.send(exchange, answer);
                return;
            }
            HttpApiEvents.send(exchange, HttpApiEvents.Answer.notFound());
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
                APIGatewayV2HTTPResponse response = handler.handleRequest(event, TestLambdaContext.of("http", java.time.Duration.ofSeconds(29)));
                return JSON.writeValueAsString(Map.of("statusCode", response.getStatusCode(),
                        "headers", response.getHeaders() == null ? Map.of() : response.getHeaders(),
                        "body", response.getBody() == null ? "" : response.getBody()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
