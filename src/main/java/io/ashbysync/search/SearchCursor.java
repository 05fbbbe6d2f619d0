package io.ashbysync.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The opaque page cursor: base64url of {@code {"v":1,"tenant","query","after"}}. {@code query} fingerprints the
 * filters, so a cursor is only good for the tenant and the query that produced it. It needs no signature: reads always
 * use the tenant of the (IAM-authorised) path, so a forged cursor can only position within the caller's own results.
 */
final class SearchCursor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SearchCursor() {}

    static String encode(String tenantId, String query, String after) {
        ObjectNode cursor = JSON.createObjectNode().put("v", 1).put("tenant", tenantId).put("query", query).put("after", after);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @return the position after which the next page starts; null when there is no cursor */
    static String decode(String cursor, String tenantId, String query, Pattern position) {
        if (cursor == null) return null;
        JsonNode decoded;
        try {
            decoded = JSON.readTree(Base64.getUrlDecoder().decode(cursor));
        } catch (Exception e) {
            throw new InvalidSearchException("cursor is malformed: pass back the nextCursor of a previous page unchanged");
        }
        if (decoded == null || decoded.path("v").asInt() != 1 || !decoded.path("tenant").isTextual()
                || !decoded.path("query").isTextual() || !decoded.path("after").isTextual()
                || !position.matcher(decoded.path("after").asText()).matches()) {
            throw new InvalidSearchException("cursor is malformed: pass back the nextCursor of a previous page unchanged");
        }
        if (!decoded.get("tenant").asText().equals(tenantId)) {
            throw new InvalidSearchException("cursor belongs to another tenant");
        }
        if (!decoded.get("query").asText().equals(query)) {
            throw new InvalidSearchException("cursor belongs to a different query: repeat the filters of the page it came from");
        }
        return decoded.get("after").asText();
    }
}
