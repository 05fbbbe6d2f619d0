package io.ashbysync.testing;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas in docs/schemas (our documented contracts with Findem) as validators, so tests hold every message
 * the product sends or accepts to the documentation and the two cannot drift apart.
 */
public final class ContractSchemas {
    private static final String BASE = "https://ashby-sync.dev/schemas/";
    private static final Path DIRECTORY = Path.of("docs", "schemas");
    private static final SchemaRegistry REGISTRY = registry();

    private ContractSchemas() {}

    private static SchemaRegistry registry() {
        Map<String, String> schemas = new HashMap<>();
        try (var files = Files.list(DIRECTORY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".schema.json")).toList()) {
                schemas.put(BASE + file.getFileName(), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIRECTORY.toAbsolutePath(), e);
        }
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(schemas));
    }

    /** Problems of {@code json} against the named schema, e.g. {@code event.schema.json}; empty when valid. */
    public static List<String> problems(String schemaFile, String json) {
        Schema schema = REGISTRY.getSchema(SchemaLocation.of(BASE + schemaFile));
        return schema.validate(json, InputFormat.JSON).stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }
}
