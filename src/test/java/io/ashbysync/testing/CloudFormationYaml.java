package io.ashbysync.testing;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Reads a CloudFormation YAML template into a Jackson tree, turning the short-form intrinsic tags
 * ({@code !Ref X}, {@code !GetAtt A.B}, {@code !Sub '...'}) into their long JSON form ({@code {"Ref": "X"}},
 * {@code {"Fn::GetAtt": ["A", "B"]}}, {@code {"Fn::Sub": "..."}}).
 *
 * <p>Jackson's YAML tree reader drops unknown tags and keeps only the tagged value, so {@code !GetAtt Q.Arn}
 * would become the plain string {@code "Q.Arn"}, indistinguishable from a literal. Reading the tokens here
 * keeps the tag, exposed by {@link YAMLParser#getTypeId()}.
 */
public final class CloudFormationYaml {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> FUNCTIONS = Set.of(
            "And", "Base64", "Cidr", "Equals", "FindInMap", "GetAtt", "GetAZs", "If", "ImportValue", "Join",
            "Length", "Not", "Or", "Select", "Split", "Sub", "ToJsonString", "Transform");
    private static final String YAML_CORE_TAG_PREFIX = "tag:yaml.org,2002:";

    private CloudFormationYaml() {
    }

    public static JsonNode read(Path template) {
        try {
            return read(Files.readString(template));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template.toAbsolutePath(), e);
        }
    }

    public static JsonNode read(String yaml) {
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            if (parser.nextToken() == null) {
                return NODES.missingNode();
            }
            return readValue(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("invalid YAML", e);
        }
    }

    private static JsonNode readValue(YAMLParser parser) throws IOException {
        String tag = parser.getTypeId();
        JsonNode value = switch (parser.currentToken()) {
            case START_OBJECT -> readObject(parser);
            case START_ARRAY -> readArray(parser);
            case VALUE_STRING -> NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT -> NODES.numberNode(parser.getBigIntegerValue());
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDecimalValue());
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(parser.getBooleanValue());
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalStateException("unexpected YAML token " + parser.currentToken()
                    + " at " + parser.currentLocation());
        };
        return tag == null || tag.startsWith(YAML_CORE_TAG_PREFIX) ? value : intrinsic(tag, value);
    }

    private static ObjectNode readObject(YAMLParser parser) throws IOException {
        ObjectNode object = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            object.set(name, readValue(parser));
        }
        return object;
    }

    private static ArrayNode readArray(YAMLParser parser) throws IOException {
        ArrayNode array = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            array.add(readValue(parser));
        }
        return array;
    }

    private static ObjectNode intrinsic(String tag, JsonNode value) {
        if (tag.equals("Ref") || tag.equals("Condition")) {
            return NODES.objectNode().set(tag, value);
        }
        if (!FUNCTIONS.contains(tag)) {
            throw new IllegalArgumentException("unknown CloudFormation tag !" + tag);
        }
        if (tag.equals("GetAtt") && value.isTextual()) {
            // The short form "Resource.Attribute" splits at the first dot only (attributes may hold dots).
            String[] parts = value.asText().split("\\.", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, got " + value.asText());
            }
            value = NODES.arrayNode().add(parts[0]).add(parts[1]);
        }
        return NODES.objectNode().set("Fn::" + tag, value);
    }
}
