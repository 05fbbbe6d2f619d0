package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
public record CustomFieldDefinition(@JsonProperty(required = true) String id, String title, boolean isPrivate,
                                    String objectType, boolean isArchived, String fieldType,
                                    List<SelectableValue> selectableValues) {
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SelectableValue(String label, String value, boolean isArchived) {}
}
