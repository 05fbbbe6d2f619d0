package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** {@code globalRole}: Organization Admin, Elevated Access, Limited Access, External Recruiter. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record User(@JsonProperty(required = true) String id, String firstName, String lastName, String email,
                   String globalRole, boolean isEnabled, Instant updatedAt, String managerId) {}
