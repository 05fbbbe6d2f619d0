package io.ashbysync.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a command payload field by field; every problem is an {@link InvalidCommandException} that names the field by
 * its path (e.g. {@code payload.candidate.emails[1]}).
 */
public final class PayloadReader {
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final JsonNode node;
    private final String path;

    private PayloadReader(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    public static PayloadReader of(ObjectNode payload) {
        return new PayloadReader(payload, "payload");
    }

    public String path(String field) {
        return path + "." + field;
    }

    public String requiredText(String field) {
        return optionalText(field).orElseThrow(() -> new InvalidCommandException(path(field), "is required"));
    }

    public Optional<String> optionalText(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new InvalidCommandException(path(field), "must be a non-empty string");
        }
        return Optional.of(value.asText().trim());
    }

    public Optional<String> optionalUuid(String field) {
        Optional<String> value = optionalText(field);
        value.ifPresent(v -> {
            if (!UUID.matcher(v).matches()) throw new InvalidCommandException(path(field), "must be an Ashby id (UUID)");
        });
        return value;
    }

    public String requiredUuid(String field) {
        return optionalUuid(field).orElseThrow(() -> new InvalidCommandException(path(field), "is required"));
    }

    public boolean optionalBoolean(String field, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isBoolean()) throw new InvalidCommandException(path(field), "must be true or false");
        return value.booleanValue();
    }

    public Optional<PayloadReader> optionalObject(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isObject()) throw new InvalidCommandException(path(field), "must be an object");
        return Optional.of(new PayloadReader(value, path(field)));
    }

    public PayloadReader requiredObject(String field) {
        return optionalObject(field).orElseThrow(() -> new InvalidCommandException(path(field), "is required"));
    }

    /** Each element read by {@code element}, which gets a reader positioned at {@code field[i]}. */
    public <T> List<T> list(String field, int max, Function<PayloadReader, T> element) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return List.of();
        if (!value.isArray()) throw new InvalidCommandException(path(field), "must be an array");
        if (value.size() > max) throw new InvalidCommandException(path(field), "has " + value.size() + " items, at most " + max + " are allowed");
        List<T> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            items.add(element.apply(new PayloadReader(value.get(i), path(field) + "[" + i + "]")));
        }
        return items;
    }

    /** This reader's own value as text (for lists of strings). */
    public String text() {
        if (!node.isTextual() || node.asText().isBlank()) throw new InvalidCommandException(path, "must be a non-empty string");
        return node.asText().trim();
    }

    public JsonNode raw(String field) {
        JsonNode value = node.get(field);
        if (value == null) throw new InvalidCommandException(path(field), "is required");
        return value;
    }

    public PayloadReader asObject() {
        if (!node.isObject()) throw new InvalidCommandException(path, "must be an object");
        return this;
    }

    public String currentPath() {
        return path;
    }
}
