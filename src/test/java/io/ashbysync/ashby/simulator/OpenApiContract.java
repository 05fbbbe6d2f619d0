package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Ashby's OpenAPI 3.1 document (src/test/resources/simulator/ashby-openapi.json) as JSON Schema 2020-12 validators.
 * Every $ref is a JSON pointer into the same document, so schemas are loaded by location inside it. Loading is
 * slow: one shared instance, schemas compiled once per pointer.
 */
public final class OpenApiContract {
    static final String DOCUMENT_URI = "https://api.ashbyhq.com/openapi.json";
    private static final Pattern COERCIBLE = Pattern.compile("\"(-?\\d+(\\.\\d+)?|true|false)\"");
    private final String document;
    private final JsonNode documentTree;
    private final SchemaRegistry registry;
    private final Map<String, Optional<Schema>> schemas = new ConcurrentHashMap<>();

    private static final class Holder {
        static final OpenApiContract INSTANCE = new OpenApiContract();
    }

    public static OpenApiContract shared() {
        return Holder.INSTANCE;
    }

    private OpenApiContract() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/simulator/ashby-openapi.json")) {
            this.documentTree = relaxKnownDefects(Json.parse(new String(in.readAllBytes(),
                    StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.document = Json.write(documentTree);
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(Map.of(DOCUMENT_URI, document)));
    }

    /**
     * Known defect of the published document: custom field values are a oneOf with several plain string branches
     * (Date, String, LongText, ValueSelect), so no string value can match exactly one. Such oneOfs, whose branches
     * share a type with nothing telling them apart, are read as anyOf; everything else is validated as published.
     */
    private static JsonNode relaxKnownDefects(JsonNode node) {
        if (node.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode object = (com.fasterxml.jackson.databind.node.ObjectNode) node;
            JsonNode oneOf = object.get("oneOf");
            if (oneOf != null && oneOf.isArray()) {
                java.util.Set<String> seen = new java.util.HashSet<>();
                boolean ambiguous = false;
                for (JsonNode branch : oneOf) {
                    String type = branch.path("type").asText("");
                    boolean plain = !type.isEmpty() && !branch.has("enum") && !branch.has("const")
                            && !branch.has("pattern") && !branch.has("required");
                    ambiguous |= plain && !seen.add(type);
                }
                if (ambiguous) {
                    object.set("anyOf", object.remove("oneOf"));
                }
            }
            JsonNode allOf = object.get("allOf");
            if (allOf != null && allOf.isArray()) {
                // another defect: a paged list's request (location.list) is allOf [paging fields, {its own fields,
                // additionalProperties: false}], which forbids the paging fields the first branch declares (Ashby
                // accepts them). What the authors meant is unevaluatedProperties on the whole, so it is read that way.
                boolean closedBranch = false;
                for (JsonNode branch : allOf) {
                    if (branch.isObject() && branch.path("additionalProperties").isBoolean()
                            && !branch.get("additionalProperties").asBoolean()) {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) branch).remove("additionalProperties");
                        closedBranch = true;
                    }
                }
                if (closedBranch) object.put("unevaluatedProperties", false);
            }
            JsonNode properties = object.get("properties");
            if (properties != null && properties.path("$ref").isTextual()) {
                // another defect: a "$ref" string inside "properties" (candidate.update's location), which would
                // declare a property named "$ref" with a non-schema value; it is dropped
                ((com.fasterxml.jackson.databind.node.ObjectNode) properties).remove("$ref");
            }
            node.forEach(OpenApiContract::relaxKnownDefects);
        } else if (node.isArray()) {
            node.forEach(OpenApiContract::relaxKnownDefects);
        }
        return node;
    }

    /** Problems of {@code responseBody} against the endpoint's 200 success schema (oneOf branch 0). */
    public List<String> validateSuccessResponse(String endpoint, String responseBody) {
        return validate(pointer(endpoint, "responses/200/content/application~1json/schema/oneOf/0"), responseBody);
    }

    /** Problems of {@code responseBody} against the endpoint's whole 200 schema (any documented variant). */
    public List<String> validateResponse(String endpoint, String responseBody) {
        return validate(pointer(endpoint, "responses/200/content/application~1json/schema"), responseBody);
    }

    /** Problems of an error envelope against the document's shared error schema (report.generate's 429). */
    public List<String> validateErrorResponse(String responseBody) {
        return validate("/paths/~1report.generate/post/responses/429/content/application~1json/schema",
                responseBody);
    }

    /**
     * Problems of a request body against the endpoint's request schema. String-encoded numbers and booleans are
     * accepted, as Ashby coerces them.
     */
    public List<String> validateRequest(String endpoint, JsonNode body) {
        String p = pointer(endpoint, "requestBody/content/application~1json/schema");
        if (documentTree.at(p).isMissingNode()) {
            return List.of();
        }
        return schema(p).map(s -> s.validate(Json.write(body), InputFormat.JSON).stream()
                .filter(e -> !coercible(e))
                .map(OpenApiContract::describe)
                .toList()).orElse(List.of());
    }

    public boolean hasEndpoint(String endpoint) {
        return !documentTree.at("/paths/" + escape("/" + endpoint)).isMissingNode();
    }

    private List<String> validate(String pointer, String body) {
        Schema s = schema(pointer).orElseThrow(() -> new IllegalArgumentException("no schema at " + pointer));
        return s.validate(body, InputFormat.JSON).stream().map(OpenApiContract::describe).toList();
    }

    private Optional<Schema> schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> documentTree.at(p).isMissingNode() ? Optional.empty()
                : Optional.of(registry.getSchema(SchemaLocation.of(DOCUMENT_URI + "#" + p))));
    }

    private static String pointer(String endpoint, String rest) {
        return "/paths/" + escape("/" + endpoint) + "/post/" + rest;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static boolean coercible(Error e) {
        if (!"type".equals(e.getKeyword()) || e.getInstanceNode() == null) {
            return false;
        }
        String message = String.valueOf(e.getMessage());
        boolean wantsScalar = message.contains("number") || message.contains("integer")
                || message.contains("boolean");
        return wantsScalar && COERCIBLE.matcher(e.getInstanceNode().toString()).matches();
    }

    private static String describe(Error e) {
        return e.getInstanceLocation() + ": " + e.getMessage();
    }
}
