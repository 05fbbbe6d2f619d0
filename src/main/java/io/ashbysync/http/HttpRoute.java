package io.ashbysync.http;

/**
 * One route of the HTTP function. A bean implementing it is served under its {@link #routeKey()}, which must equal
 * the route's {@code Method} and {@code Path} in {@code template.yaml} (API Gateway passes the matched key on).
 */
public interface HttpRoute {
    /** e.g. {@code POST /webhooks/ashby/{tenantId}} */
    String routeKey();

    HttpResponse handle(HttpRequest request);
}
