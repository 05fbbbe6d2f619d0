package io.ashbysync.webhook;

import io.ashbysync.http.HttpRequest;
import io.ashbysync.http.HttpResponse;
import io.ashbysync.http.HttpRoute;
import jakarta.enterprise.context.ApplicationScoped;

/** Ashby's deliveries: {@code POST /webhooks/ashby/{tenantId}}, one URL per tenant. */
@ApplicationScoped
public class WebhookRoute implements HttpRoute {
    public static final String ROUTE_KEY = "POST /webhooks/ashby/{tenantId}";

    private final WebhookIntake intake;

    public WebhookRoute(WebhookIntake intake) {
        this.intake = intake;
    }

    @Override
    public String routeKey() {
        return ROUTE_KEY;
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        WebhookIntake.Answer answer = intake.receive(request.pathParameter("tenantId"), request.rawBody(),
                request.header(WebhookSignature.HEADER));
        return HttpResponse.message(answer.status(), answer.message());
    }
}
