package io.ashbysync.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code data} of a {@code command.result} event: {@code status} is {@code succeeded} (with {@code output}),
 * {@code failed} (with {@code error: {code, message, field?}}) or {@code partially_failed} (bulk, per-item results).
 */
public final class CommandResult {
    private CommandResult() {}

    public static ObjectNode succeeded(ObjectMapper mapper, CommandEnvelope command, JsonNode output) {
        ObjectNode result = base(mapper, command.type(), command.commandId(), command.requestedBy().email());
        result.put("status", "succeeded");
        result.set("output", output);
        return result;
    }

    public static ObjectNode failed(ObjectMapper mapper, String type, String commandId, String requestedBy,
                                    String code, String message, String field) {
        ObjectNode result = base(mapper, type, commandId, requestedBy);
        result.put("status", "failed");
        ObjectNode error = result.putObject("error").put("code", code).put("message", message);
        if (field != null) error.put("field", field);
        return result;
    }

    private static ObjectNode base(ObjectMapper mapper, String type, String commandId, String requestedBy) {
        ObjectNode result = mapper.createObjectNode();
        result.put("commandId", commandId);
        result.put("commandType", type);
        if (requestedBy != null) result.put("requestedBy", requestedBy);
        return result;
    }
}
