package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

@JsonIgnoreProperties(ignoreUnknown = true)
public record Note(@JsonProperty(required = true) String id, Instant createdAt, boolean isPrivate,
                   String content, Author author) {
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Author(String id, String firstName, String lastName, String email) {}
}
