package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

@JsonIgnoreProperties(ignoreUnknown = true)
public record Location(@JsonProperty(required = true) String id, String name, String externalName, boolean isArchived,
                       String workplaceType, String parentLocationId, String type) {}
