package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One authenticated API call: the organization, the JSON body and the acting user. Field readers coerce
 * string-encoded numbers and booleans as Ashby does and reject wrong types with invalid_input naming the field.
 */
public final class Call {
    final AshbySimulator simulator;
    final SimulatedOrganization org;
    final String endpoint;
    final ObjectNode body;
    final String actorUserId;

    Call(AshbySimulator simulator, SimulatedOrganization org, String endpoint, ObjectNode body, String actorUserId) {
        this.simulator = simulator;
        this.org = org;
        this.endpoint = endpoint;
        this.body = body;
        this.actorUserId = actorUserId;
    }

    Instant now() {
        return simulator.clock().instant();
    }

    boolean has(String field) {
        JsonNode v = body.get(field);
        return v != null && !v.isNull();
    }

    String string(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw AshbyError.invalidInput("Expected string for field '" + field + "'");
        }
        return v.asText();
    }

    String requiredString(String field) {
        String s = string(field);
        if (s == null) {
            throw AshbyError.invalidInput("Missing required field '" + field + "'");
        }
        return s;
    }

    Integer integer(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.asInt();
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().trim());
            } catch (NumberFormatException e) {
                // falls through to the type error
            }
        }
        throw AshbyError.invalidInput("Expected number for field '" + field + "'");
    }

    boolean bool(String field, boolean dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
            return Boolean.parseBoolean(v.asText());
        }
        throw AshbyError.invalidInput("Expected boolean for field '" + field + "'");
    }

    Instant instant(String field) {
        String s = string(field);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                // timestamps without a zone are read as UTC
                return java.time.LocalDateTime.parse(s).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw AshbyError.invalidInput("Expected ISO-8601 date-time for field '" + field + "'");
            }
        }
    }

    List<String> strings(String field) {
        JsonNode v = body.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw AshbyError.invalidInput("Expected array for field '" + field + "'");
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw AshbyError.invalidInput("Expected array of strings for field '" + field + "'");
            }
            out.add(e.asText());
        }
        return out;
    }

    ObjectNode objectField(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw AshbyError.invalidInput("Expected object for field '" + field + "'");
        }
        return (ObjectNode) v;
    }

    static ObjectNode ok(JsonNode results) {
        ObjectNode r = Json.object();
        r.put("success", true);
        r.set("results", results);
        return r;
    }
}
