package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code type}: LinkedIn, GitHub, Twitter, Medium, StackOverflow, YouTube, CodePen, Website. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SocialLink(String type, @JsonProperty(required = true) String url) {}
