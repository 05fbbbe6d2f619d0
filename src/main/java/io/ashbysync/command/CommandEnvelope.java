package io.ashbysync.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.tenant.TenantIds;
import java.util.regex.Pattern;

/**
 * Every command from Findem: {@code type}, {@code commandId} (the idempotency key), {@code tenantId},
 * {@code requestedBy} (the recruiter: {@code email}, optional {@code name}) and a {@code payload} object.
 */
public record CommandEnvelope(String type, String commandId, String tenantId, RequestedBy requestedBy, ObjectNode payload) {
    private static final Pattern COMMAND_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    public record RequestedBy(String email, String name) {}

    /** Parses and validates strictly; the exception names the first field that is wrong. */
    public static CommandEnvelope parse(String body, ObjectMapper mapper) {
        JsonNode root;
        try {
            root = mapper.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new InvalidCommandException("body", "is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidCommandException("body", "must be a JSON object");
        }
        String type = requiredText(root, "type");
        String commandId = requiredText(root, "commandId");
        if (!COMMAND_ID.matcher(commandId).matches()) {
            throw new InvalidCommandException("commandId", "must be 1-128 characters of letters, digits, '.', '_', ':' or '-'");
        }
        String tenantId = requiredText(root, "tenantId");
        if (!TenantIds.isValid(tenantId)) {
            throw new InvalidCommandException("tenantId", "must be " + TenantIds.RULE);
        }
        JsonNode requestedBy = root.get("requestedBy");
        if (requestedBy == null || !requestedBy.isObject()) {
            throw new InvalidCommandException("requestedBy", "is required and must be an object with an email");
        }
        String email = requiredText(requestedBy, "email", "requestedBy.email");
        if (!EMAIL.matcher(email).matches()) {
            throw new InvalidCommandException("requestedBy.email", "is not an email address");
        }
        JsonNode name = requestedBy.get("name");
        if (name != null && !name.isNull() && !name.isTextual()) {
            throw new InvalidCommandException("requestedBy.name", "must be a string");
        }
        JsonNode payload = root.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new InvalidCommandException("payload", "is required and must be an object");
        }
        return new CommandEnvelope(type, commandId, tenantId,
                new RequestedBy(email, name == null || name.isNull() ? null : name.asText()), (ObjectNode) payload);
    }

    private static String requiredText(JsonNode node, String field) {
        return requiredText(node, field, field);
    }

    private static String requiredText(JsonNode node, String field, String path) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidCommandException(path, "is required");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidCommandException(path, "must be a non-empty string");
        }
        return value.asText();
    }
}
