package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A file on a candidate; {@code handle} is opaque and goes to {@code file.info} for a download URL. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FileHandle(@JsonProperty(required = true) String id, String name, @JsonProperty(required = true) String handle) {}
