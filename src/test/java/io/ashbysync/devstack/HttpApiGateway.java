package io.ashbysync.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ashbysync.testing.HttpApiEvents;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The template's HTTP API routes with a Lambda proxy integration (payload format 2.0): a request matching a route
 * key becomes an API Gateway v2 event for that route's function ({@link HttpApiEvents}), and the function's response
 * (statusCode, headers, body) becomes the HTTP answer. Other paths get API Gateway's 404. IAM authorisation is not
 * enforced locally.
 */
final class HttpApiGateway implements HttpHandler {
    /** One route: its key and the function behind it. */
    record Route(HttpApiEvents.Route key, LocalFunction function) {
        static Route of(String routeKey, LocalFunction function) {
            return new Route(HttpApiEvents.Route.of(routeKey), function);
        }
    }

    private final List<Route> routes;

    HttpApiGateway(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            for (Route route : routes) {
                Optional<Map<String, String>> pathParameters = route.key().match(exchange);
                if (pathParameters.isEmpty()) continue;
                LocalFunction function = route.function();
                byte[] body = exchange.getRequestBody().readAllBytes();
                LocalLambdaRuntime.Result result = function.invoke(
                        HttpApiEvents.event(exchange, route.key().routeKey(), pathParameters.get(), body));
                HttpApiEvents.Answer answer = answer(result.outcome());
                DevConsole.invocation(function.name(), "http:" + exchange.getRequestURI().getRawPath(), result,
                        "status", answer.status());
                HttpApiEvents.send(exchange, answer);
                return;
            }
            HttpApiEvents.send(exchange, HttpApiEvents.Answer.notFound());
        }
    }

    /**
     * API Gateway's mapping of a function's outcome: its answer as {@link HttpApiEvents#fromPayload} maps it; a
     * function error is 500 and a timeout 503, as API Gateway answers.
     */
    static HttpApiEvents.Answer answer(LocalLambdaRuntime.Outcome outcome) {
        return switch (outcome) {
            case LocalLambdaRuntime.Outcome.Failed ignored -> HttpApiEvents.Answer.json(500, "{\"message\":\"Internal Server Error\"}");
            case LocalLambdaRuntime.Outcome.TimedOut ignored -> HttpApiEvents.Answer.json(503, "{\"message\":\"Service Unavailable\"}");
            case LocalLambdaRuntime.Outcome.Succeeded succeeded -> HttpApiEvents.fromPayload(succeeded.payload());
        };
    }
}
