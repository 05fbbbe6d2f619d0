package io.ashbysync.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * One request from the HTTP API, as a route sees it.
 *
 * @param routeKey API Gateway's matched route, e.g. {@code POST /webhooks/ashby/{tenantId}}
 * @param rawBody  the exact bytes the client sent (a webhook signature covers them, so they are never re-encoded)
 * @param callerArn the IAM principal that signed the request, on IAM-authorised routes; null elsewhere
 */
public record HttpRequest(String routeKey, String rawPath, Map<String, String> pathParameters,
                          Map<String, String> queryParameters, Map<String, String> headers, byte[] rawBody,
                          String requestId, String callerArn) {

    static HttpRequest of(APIGatewayV2HTTPEvent event, String requestId) {
        byte[] body = event.getBody() == null ? new byte[0]
                : event.getIsBase64Encoded() ? Base64.getDecoder().decode(event.getBody())
                : event.getBody().getBytes(StandardCharsets.UTF_8);
        String caller = Optional.ofNullable(event.getRequestContext())
                .map(APIGatewayV2HTTPEvent.RequestContext::getAuthorizer)
                .map(APIGatewayV2HTTPEvent.RequestContext.Authorizer::getIam)
                .map(APIGatewayV2HTTPEvent.RequestContext.IAM::getUserArn).orElse(null);
        return new HttpRequest(event.getRouteKey(), event.getRawPath(), orEmpty(event.getPathParameters()),
                orEmpty(event.getQueryStringParameters()), orEmpty(event.getHeaders()), body, requestId, caller);
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    /** API Gateway v2 lower-cases header names; look them up without regard to case anyway. */
    public String header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
