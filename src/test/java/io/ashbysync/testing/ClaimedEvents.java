package io.ashbysync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Reads a claim-checked event's data as Findem does: a GET of the presigned URL it carries, checked by its sha256. */
public final class ClaimedEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ClaimedEvents() {}

    /** A copy of the event with {@code data} read from its {@code dataRef}; the reference stays on it. */
    public static JsonNode withData(JsonNode event) {
        JsonNode ref = event.get("dataRef");
        try {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(ref.get("url").asText())).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new AssertionError("claim URL of event " + event.path("eventId").asText() + " answered HTTP " + response.statusCode());
            }
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(response.body()));
            if (!sha256.equals(ref.get("sha256").asText()) || response.body().length != ref.get("size").asLong()) {
                throw new AssertionError("claim of event " + event.path("eventId").asText() + " does not match its sha256 and size");
            }
            return ((ObjectNode) event.deepCopy()).set("data", JSON.readTree(response.body()));
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("cannot read the claim of event " + event.path("eventId").asText(), e);
        }
    }
}
