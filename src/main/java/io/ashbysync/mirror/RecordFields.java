package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The fields of an Ashby record the mirror keys and versions it by, read strictly: a bad one names itself. */
public final class RecordFields {
    private RecordFields() {}

    /** A record whose id or version cannot be used; quarantined by the caller so the rest of its page goes on. */
    public static final class MalformedRecordException extends RuntimeException {
        private final String recordId;

        MalformedRecordException(String recordId, String field, String problem) {
            super("record " + (recordId == null ? "(no id)" : recordId) + ": '" + field + "' " + problem);
            this.recordId = recordId;
        }

        /** Null when the id itself is what is wrong. */
        public String recordId() {
            return recordId;
        }
    }

    public static String id(JsonNode record) {
        JsonNode id = record.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new MalformedRecordException(null, "id", "is missing or not a string");
        }
        return id.asText();
    }

    /** Ashby's {@code updatedAt}; null when the record has none (it is then versioned by its content). */
    public static Instant updatedAt(JsonNode record) {
        JsonNode value = record.get("updatedAt");
        if (value == null || value.isNull()) return null;
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new MalformedRecordException(record.path("id").asText(null), "updatedAt",
                    "'" + value.asText() + "' is not an ISO-8601 instant");
        }
    }
}
