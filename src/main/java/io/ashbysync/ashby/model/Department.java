package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

@JsonIgnoreProperties(ignoreUnknown = true)
public record Department(@JsonProperty(required = true) String id, String name, String externalName,
                         boolean isArchived, String parentId, Instant createdAt, Instant updatedAt) {}
