package io.ashbysync.application;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.command.InvalidCommandException;
import io.ashbysync.command.PayloadReader;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** The payload of {@code application.reject}, validated field by field before anything is done. */
record RejectRequest(List<String> applicationIds, String archiveReasonId, String archiveReasonText, String templateId,
                     Instant sendAt, Integer sendAfterMinutes, Instant rejectAt, boolean dryRun) {
    static final int MAX_DELAY_DAYS = 30;

    static RejectRequest parse(JsonNode raw, int maxBulk, Instant now) {
        PayloadReader payload = PayloadReader.of((com.fasterxml.jackson.databind.node.ObjectNode) raw);
        List<String> ids;
        Optional<String> single = payload.optionalUuid("applicationId");
        if (single.isPresent()) {
            ids = List.of(single.get());
        } else {
            ids = payload.list("applicationIds", maxBulk, element -> {
                String id = element.text();
                if (!id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
                    throw new InvalidCommandException(element.currentPath(), "must be an Ashby id (UUID)");
                }
                return id.toLowerCase();
            });
            if (ids.isEmpty()) throw new InvalidCommandException(payload.path("applicationIds"), "must name at least one application");
            ids = List.copyOf(new LinkedHashSet<>(ids));
        }
        Optional<String> reasonId = payload.optionalUuid("archiveReasonId");
        Optional<String> reasonText = payload.optionalText("archiveReasonText");
        if (reasonId.isPresent() == reasonText.isPresent()) {
            throw new InvalidCommandException(payload.path("archiveReasonId"), "or archiveReasonText is required, not both");
        }
        String templateId = null;
        Instant sendAt = null;
        Integer sendAfter = null;
        Optional<PayloadReader> email = payload.optionalObject("archiveEmail");
        if (email.isPresent()) {
            templateId = email.get().requiredUuid("communicationTemplateId");
            sendAt = email.get().optionalText("sendAt").map(v -> instant(email.get(), "sendAt", v)).orElse(null);
            sendAfter = minutes(raw.get("archiveEmail"), email.get().path("sendAfterMinutes"));
            if (sendAt != null && sendAfter != null) {
                throw new InvalidCommandException(email.get().path("sendAt"), "or sendAfterMinutes, not both");
            }
        }
        Instant rejectAt = payload.optionalText("rejectAt").map(v -> instant(payload, "rejectAt", v)).orElse(null);
        Integer delay = minutes(raw, payload.path("delayMinutes"));
        if (rejectAt != null && delay != null) throw new InvalidCommandException(payload.path("rejectAt"), "or delayMinutes, not both");
        if (delay != null) rejectAt = now.plus(Duration.ofMinutes(delay));
        if (rejectAt != null && rejectAt.isAfter(now.plus(Duration.ofDays(MAX_DELAY_DAYS)))) {
            throw new InvalidCommandException(payload.path("rejectAt"), "is more than " + MAX_DELAY_DAYS + " days ahead");
        }
        boolean dryRun = payload.optionalBoolean("dryRun", false);
        return new RejectRequest(ids, reasonId.orElse(null), reasonText.orElse(null), templateId, sendAt, sendAfter,
                rejectAt, dryRun);
    }

    boolean delayed(Instant now) {
        return rejectAt != null && rejectAt.isAfter(now) && !dryRun;
    }

    private static Instant instant(PayloadReader reader, String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidCommandException(reader.path(field), "must be an ISO-8601 instant, e.g. 2026-01-31T09:00:00Z");
        }
    }

    private static Integer minutes(JsonNode parent, String path) {
        JsonNode value = parent.get(path.substring(path.lastIndexOf('.') + 1));
        if (value == null || value.isNull()) return null;
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1 || value.intValue() > MAX_DELAY_DAYS * 24 * 60) {
            throw new InvalidCommandException(path, "must be a whole number of minutes from 1 to " + MAX_DELAY_DAYS * 24 * 60);
        }
        return value.intValue();
    }
}
