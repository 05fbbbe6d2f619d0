package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An email address or phone number; {@code type} is Personal, Work or Other. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContactInfo(@JsonProperty(required = true) String value, String type, boolean isPrimary) {}
