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
            this.document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.documentTree = Json.parse(document);
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(Map.of(DOCUMENT_URI, document)));
    }

    /** Problems of {@code responseBody} against the endpoint's 200 success schema (oneOf branch 0). */
    public List<String> validateSuccessResponse(String endpoint, String responseBody) {
        return validate(pointer(endpoint, "responses/200/content/application~1json/schema/oneOf/0"), responseBody);
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
