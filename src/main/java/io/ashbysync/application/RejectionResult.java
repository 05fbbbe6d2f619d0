package io.ashbysync.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The {@code command.result} data of a rejection, in {@code CommandResult}'s shape, plus the status
 * {@code partially_failed}: {@code succeeded} when no application failed, {@code failed} (code {@code all_failed}) when
 * every one did, {@code partially_failed} otherwise; {@code output.items} has each application's outcome.
 */
final class RejectionResult {
    private RejectionResult() {}

    static ObjectNode of(ObjectMapper mapper, ObjectNode spec, List<JsonNode> items) {
        ObjectNode result = mapper.createObjectNode();
        result.put("commandId", spec.get("commandId").asText());
        result.put("commandType", spec.get("commandType").asText());
        result.put("requestedBy", spec.path("requestedBy").path("email").asText());
        long failed = items.stream().filter(i -> "failed".equals(i.path("outcome").asText())).count();
        ObjectNode output = mapper.createObjectNode();
        output.put("dryRun", spec.path("dryRun").asBoolean());
        output.put("total", items.size());
        output.put("failed", failed);
        output.put("archived", items.stream().filter(i -> "archived".equals(i.path("outcome").asText())).count());
        output.put("alreadyArchived", items.stream().filter(i -> "already_archived".equals(i.path("outcome").asText())).count());
        output.set("archiveReason", spec.get("archiveReason"));
        if (spec.hasNonNull("template")) output.set("template", spec.get("template"));
        output.putArray("items").addAll(items);
        if (failed == 0) {
            result.put("status", "succeeded");
        } else if (failed == items.size()) {
            result.put("status", "failed");
            JsonNode first = items.getFirst().path("error");
            result.putObject("error").put("code", items.size() == 1 ? first.path("code").asText() : "all_failed")
                    .put("message", items.size() == 1 ? first.path("message").asText() : "every application failed; see output.items");
        } else {
            result.put("status", "partially_failed");
        }
        result.set("output", output);
        return result;
    }
}
