package io.ashbysync.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.ashbysync.platform.Deadline;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Named;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The HTTP function behind the HTTP API: hands each request to the {@link HttpRoute} bean registered for API
 * Gateway's matched route key (webhook intake, and whatever other routes the template gives this function).
 */
@Named("http")
public class HttpHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Logger LOG = Logger.getLogger(HttpHandler.class);

    private final Map<String, HttpRoute> routes = new HashMap<>();
    private final Duration deadlineReserve;

    /**
     * @param deadlineReserve kept back from a route's work at the end of the invocation (API Gateway gives up at 29 s,
     *                        the functions' timeouts are 10 s and 29 s): what a failed onboarding needs to roll back
     *                        and any route needs to answer with its error instead of being cut off
     */
    public HttpHandler(Instance<HttpRoute> routes,
                       @ConfigProperty(name = "ashby-sync.http.deadline-reserve", defaultValue = "3s") Duration deadlineReserve) {
        this.deadlineReserve = deadlineReserve;
        routes.forEach(route -> {
            HttpRoute clash = this.routes.put(route.routeKey(), route);
            if (clash != null) throw new IllegalStateException("two routes for " + route.routeKey());
        });
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        HttpRequest request = HttpRequest.of(event, context.getAwsRequestId());
        if (request.pathParameter("tenantId") != null) MDC.put("tenantId", request.pathParameter("tenantId"));
        try {
            HttpRoute route = routes.get(request.routeKey());
            HttpResponse response;
            if (route == null) {
                LOG.warnf("no route for %s", request.routeKey());
                response = HttpResponse.message(404, "no such route: " + request.routeKey());
            } else {
                response = Deadline.within(Deadline.invocationEnds(context, deadlineReserve), () -> route.handle(request));
            }
            Map<String, String> headers = new HashMap<>(response.headers());
            headers.put("Content-Type", response.contentType());
            return APIGatewayV2HTTPResponse.builder().withStatusCode(response.status()).withHeaders(headers)
                    .withBody(response.body()).build();
        } finally {
            MDC.remove("requestId");
            MDC.remove("tenantId");
        }
    }
}
