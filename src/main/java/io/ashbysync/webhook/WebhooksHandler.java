package io.ashbysync.webhook;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jboss.logging.MDC;

/** Ashby webhook intake behind the HTTP API route {@code POST /webhooks/ashby/{tenantId}}. */
@Named("webhooks")
public class WebhooksHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final WebhookIntake intake;

    public WebhooksHandler(WebhookIntake intake) {
        this.intake = intake;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        MDC.put("requestId", context.getAwsRequestId());
        String tenantId = event.getPathParameters() == null ? null : event.getPathParameters().get("tenantId");
        MDC.put("tenantId", String.valueOf(tenantId));
        try {
            WebhookIntake.Answer answer = intake.receive(tenantId, rawBody(event), header(event.getHeaders(), WebhookSignature.HEADER));
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(answer.status())
                    .withHeaders(Map.of("Content-Type", "application/json"))
                    .withBody("{\"message\":\"" + answer.message() + "\"}")
                    .build();
        } finally {
            MDC.remove("requestId");
            MDC.remove("tenantId");
        }
    }

    /** The signature covers the exact bytes Ashby sent, so the body is never re-encoded before verification. */
    private static byte[] rawBody(APIGatewayV2HTTPEvent event) {
        if (event.getBody() == null) return new byte[0];
        return event.getIsBase64Encoded() ? Base64.getDecoder().decode(event.getBody()) : event.getBody().getBytes(StandardCharsets.UTF_8);
    }

    /** API Gateway v2 lower-cases header names; look them up without regard to case anyway. */
    private static String header(Map<String, String> headers, String name) {
        if (headers == null) return null;
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElse(null);
    }
}
