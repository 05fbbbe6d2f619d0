package io.ashbysync.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;

/** What a route answers: status, content type and body. */
public record HttpResponse(int status, String contentType, String body, Map<String, String> headers) {

    public static HttpResponse json(int status, String jsonBody) {
        return new HttpResponse(status, "application/json", jsonBody, Map.of());
    }

    /** {"message": ...}, the shape of every error (and of plain acknowledgements). */
    public static HttpResponse message(int status, String message) {
        return json(status, JsonNodeFactory.instance.objectNode().put("message", message).toString());
    }

    public static HttpResponse html(int status, String htmlBody) {
        return new HttpResponse(status, "text/html; charset=utf-8", htmlBody, Map.of());
    }
}
