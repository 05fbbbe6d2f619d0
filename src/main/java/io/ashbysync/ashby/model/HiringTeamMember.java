package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code role} is the role's title, e.g. "Hiring Manager" or "Recruiter". */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HiringTeamMember(@JsonProperty(required = true) String userId, String firstName, String lastName,
                               String email, String role) {}
