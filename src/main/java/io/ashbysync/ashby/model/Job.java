package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** {@code status}: Draft, Open, Closed, Archived. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Job(
        @JsonProperty(required = true) String id,
        @JsonProperty(required = true) String title,
        boolean confidential,
        String status,
        String employmentType,
        String locationId,
        String departmentId,
        String defaultInterviewPlanId,
        List<String> interviewPlanIds,
        List<CustomFieldValue> customFields,
        List<String> jobPostingIds,
        String customRequisitionId,
        List<HiringTeamMember> hiringTeam,
        Instant createdAt,
        Instant updatedAt,
        Instant openedAt,
        Instant closedAt) {}
