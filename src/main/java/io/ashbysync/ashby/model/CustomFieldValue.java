package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A custom field's value on a candidate, application or job; {@code value}'s type depends on the field type. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CustomFieldValue(@JsonProperty(required = true) String id, String title, boolean isPrivate,
                               JsonNode value, JsonNode valueLabel) {}
