package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Iterator;

/** Jackson helpers shared by the simulator. Stored records may carry internal fields prefixed with '_'. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    public static ArrayNode array(Collection<? extends JsonNode> nodes) {
        ArrayNode a = array();
        a.addAll(nodes);
        return a;
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ashby timestamps: ISO-8601 UTC with exactly three fraction digits and Z. */
    public static String iso(Instant instant) {
        Instant ms = instant.truncatedTo(ChronoUnit.MILLIS);
        String s = ms.toString();
        // Instant.toString drops zero fractions; Ashby always prints milliseconds.
        if (s.indexOf('.') < 0) {
            s = s.substring(0, s.length() - 1) + ".000Z";
        }
        return s;
    }

    /** A copy without internal ('_'-prefixed) fields, recursively for nested objects. */
    public static ObjectNode publicView(ObjectNode stored) {
        ObjectNode copy = stored.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node.isObject()) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                if (names.next().startsWith("_")) {
                    names.remove();
                }
            }
            node.forEach(Json::strip);
        } else if (node.isArray()) {
            node.forEach(Json::strip);
        }
    }
}
