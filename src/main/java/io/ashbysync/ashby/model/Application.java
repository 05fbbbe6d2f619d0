package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * Ashby's application. {@code applicationHistory} comes only from {@code application.info} and create responses,
 * not from {@code application.list}. {@code status}: Active, Hired, Archived, Lead.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Application(
        @JsonProperty(required = true) String id,
        Instant createdAt,
        Instant updatedAt,
        @JsonProperty(required = true) String status,
        CandidateSummary candidate,
        InterviewStage currentInterviewStage,
        JobSummary job,
        Source source,
        ArchiveReason archiveReason,
        Instant archivedAt,
        User creditedToUser,
        List<HiringTeamMember> hiringTeam,
        List<CustomFieldValue> customFields,
        String appliedViaJobPostingId,
        List<ApplicationHistoryEntry> applicationHistory) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CandidateSummary(@JsonProperty(required = true) String id, String name,
                                   ContactInfo primaryEmailAddress, ContactInfo primaryPhoneNumber) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record JobSummary(@JsonProperty(required = true) String id, String title, String locationId,
                             String departmentId) {}
}
