package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/** archiveReason, candidateTag, customField, source, communicationTemplate endpoints. */
final class HiringMetadataEndpoints {
    private static final Set<String> OBJECT_TYPES = Set.of("Application", "Candidate", "Job", "Opening");

    private HiringMetadataEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("archiveReason.list", "hiringProcessMetadataRead", c -> {
            boolean includeArchived = c.bool("includeArchived", false);
            return Call.ok(Json.array(c.org.archiveReasons.all().stream()
                    .filter(a -> includeArchived || !a.get("isArchived").asBoolean())
                    .map(Json::publicView).toList()));
        });
        r.add("source.list", "hiringProcessMetadataRead", c -> {
            boolean includeArchived = c.bool("includeArchived", false);
            ObjectNode response = Call.ok(Json.array(c.org.sources.all().stream()
                    .filter(s -> includeArchived || !s.get("isArchived").asBoolean())
                    .map(Json::publicView).toList()));
            response.put("moreDataAvailable", false);
            return response;
        });
        // only enabled (non-archived) templates are listed
        r.add("communicationTemplate.list", "hiringProcessMetadataRead", c -> Call.ok(Json.array(
                c.org.templates.all().stream().filter(t -> !t.path("_isArchived").asBoolean())
                        .map(Json::publicView).toList())));
        r.add("candidateTag.create", "hiringProcessMetadataWrite", HiringMetadataEndpoints::createTag);
        r.add("candidateTag.list", "hiringProcessMetadataRead", c -> {
            boolean includeArchived = c.bool("includeArchived", false);
            return c.org.syncLog.page(c, "candidateTag.list", c.org.tags,
                    t -> includeArchived || !t.get("isArchived").asBoolean(), Json::publicView, true);
        });
        r.add("customField.list", "hiringProcessMetadataRead", c -> {
            boolean includeArchived = c.bool("includeArchived", false);
            return c.org.syncLog.page(c, "customField.list", c.org.customFields,
                    f -> includeArchived || !f.get("isArchived").asBoolean(), Json::publicView, true);
        });
        r.add("customField.setValues", "candidatesWrite", HiringMetadataEndpoints::setValues);
    }

    private static ObjectNode createTag(Call c) {
        String title = c.requiredString("title").trim();
        if (title.isEmpty()) {
            throw AshbyError.invalidInput("Field 'title' must not be empty");
        }
        for (ObjectNode t : c.org.tags.all()) {
            if (t.get("title").asText().equalsIgnoreCase(title)) {
                return Call.ok(Json.publicView(t));
            }
        }
        ObjectNode tag = Json.object().put("id", Ids.uuid()).put("title", title).put("isArchived", false);
        c.org.tags.put(tag);
        return Call.ok(Json.publicView(tag));
    }

    private static ObjectNode setValues(Call c) {
        String objectId = c.requiredString("objectId");
        String objectType = c.requiredString("objectType");
        if (!OBJECT_TYPES.contains(objectType)) {
            throw AshbyError.invalidInput("Field 'objectType' must be one of " + OBJECT_TYPES);
        }
        JsonNode values = c.body.get("values");
        if (values == null || !values.isArray() || values.isEmpty()) {
            throw AshbyError.invalidInput("Field 'values' must be a non-empty array");
        }
        EntityTable table = switch (objectType) {
            case "Candidate" -> c.org.candidates;
            case "Application" -> c.org.applications;
            default -> c.org.jobs;
        };
        ObjectNode target = table.get(objectId);
        if (target == null) {
            throw AshbyError.notFound(objectType.toLowerCase() + "_not_found", objectType);
        }
        // validate all values before writing any
        ArrayNode written = Json.array();
        for (JsonNode v : values) {
            String fieldId = v.path("fieldId").asText(null);
            ObjectNode def = c.org.customFields.get(fieldId);
            if (def == null || !def.get("objectType").asText().equals(objectType)) {
                throw AshbyError.invalidInput("Unknown custom field '" + fieldId + "' for " + objectType);
            }
            if (!v.has("fieldValue")) {
                throw AshbyError.invalidInput("Missing required field 'values[].fieldValue'");
            }
            written.add(customFieldValue(def, v.get("fieldValue")));
        }
        ArrayNode current = (ArrayNode) target.get("customFields");
        for (JsonNode w : written) {
            for (int i = current.size() - 1; i >= 0; i--) {
                if (current.get(i).get("id").asText().equals(w.get("id").asText())) {
                    current.remove(i);
                }
            }
            current.add(w.deepCopy());
        }
        target.put("updatedAt", Json.iso(c.now()));
        table.touch(objectId);
        return Call.ok(written);
    }

    static ObjectNode customFieldValue(ObjectNode definition, JsonNode value) {
        ObjectNode v = Json.object();
        v.put("id", definition.get("id").asText());
        v.put("isPrivate", definition.get("isPrivate").asBoolean());
        v.put("title", definition.get("title").asText());
        v.set("value", value.deepCopy());
        if ("ValueSelect".equals(definition.get("fieldType").asText())) {
            for (JsonNode option : definition.path("selectableValues")) {
                if (option.get("value").asText().equals(value.asText())) {
                    v.put("valueLabel", option.get("label").asText());
                }
            }
        }
        return v;
    }
}
