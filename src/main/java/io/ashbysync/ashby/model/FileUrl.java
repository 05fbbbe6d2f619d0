package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code file.info}: a short-lived download URL. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FileUrl(@JsonProperty(required = true) String url) {}
