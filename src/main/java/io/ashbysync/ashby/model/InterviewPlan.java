package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

@JsonIgnoreProperties(ignoreUnknown = true)
public record InterviewPlan(@JsonProperty(required = true) String id, String title, boolean isArchived,
                            Instant createdAt, Instant updatedAt) {}
