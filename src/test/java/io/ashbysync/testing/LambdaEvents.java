package io.ashbysync.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/** Lambda events as AWS delivers them (JSON), for invoking handlers through Quarkus' Lambda event server. */
public final class LambdaEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaEvents() {}

    public record Message(String messageId, String body) {}

    public static String sqs(String queueName, Message... messages) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : messages) {
            records.addObject()
                    .put("messageId", message.messageId())
                    .put("receiptHandle", "rh-" + message.messageId())
                    .put("body", message.body())
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:" + queueName)
                    .put("awsRegion", "us-east-1")
                    .putObject("attributes").put("ApproximateReceiveCount", "1");
        }
        return event.toString();
    }

    public static String scheduled() {
        return JSON.createObjectNode()
                .put("version", "0").put("id", "e-1").put("detail-type", "Scheduled Event")
                .put("source", "aws.events").put("account", "000000000000").put("time", "2026-11-28T10:00:00Z")
                .put("region", "us-east-1").set("detail", JSON.createObjectNode()).toString();
    }

    public static String httpPost(String rawPath, Map<String, String> pathParameters, Map<String, String> headers,
                                  byte[] body, boolean base64) {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "2.0")
                .put("routeKey", "POST /webhooks/ashby/{tenantId}")
                .put("rawPath", rawPath)
                .put("isBase64Encoded", base64)
                .put("body", base64 ? Base64.getEncoder().encodeToString(body) : new String(body, StandardCharsets.UTF_8));
        ObjectNode h = event.putObject("headers");
        headers.forEach((k, v) -> h.put(k.toLowerCase(), v));
        ObjectNode p = event.putObject("pathParameters");
        pathParameters.forEach(p::put);
        event.putObject("requestContext").put("requestId", "req-1").putObject("http").put("method", "POST").put("path", rawPath);
        return event.toString();
    }

    /** Any HTTP API (v2) request as API Gateway hands it to the function; {@code routeKey} must match a route. */
    public static String http(String routeKey, String rawPath, Map<String, String> pathParameters, Map<String, String> query,
                              Map<String, String> headers, byte[] body) {
        String method = routeKey.substring(0, routeKey.indexOf(' '));
        ObjectNode event = JSON.createObjectNode()
                .put("version", "2.0")
                .put("routeKey", routeKey)
                .put("rawPath", rawPath)
                .put("rawQueryString", query.entrySet().stream()
                        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&")))
                .put("isBase64Encoded", true)
                .put("body", Base64.getEncoder().encodeToString(body));
        ObjectNode h = event.putObject("headers");
        headers.forEach((k, v) -> h.put(k.toLowerCase(), v));
        ObjectNode p = event.putObject("pathParameters");
        pathParameters.forEach(p::put);
        if (!query.isEmpty()) {
            ObjectNode q = event.putObject("queryStringParameters");
            query.forEach(q::put);
        }
        ObjectNode context = event.putObject("requestContext").put("requestId", "req-" + System.nanoTime()).put("routeKey", routeKey);
        context.putObject("http").put("method", method).put("path", rawPath);
        context.putObject("authorizer").putObject("iam").put("userArn", "arn:aws:iam::000000000000:user/test-operator");
        return event.toString();
    }

    /** An IAM-signed GET of an HTTP API route (e.g. {@code GET /tenants/{tenantId}/candidates}). */
    public static String httpGet(String routeKey, String rawPath, Map<String, String> pathParameters, Map<String, String> queryParameters) {
        return http(routeKey, rawPath, pathParameters, queryParameters, Map.of("accept", "application/json"), new byte[0]);
    }
}
