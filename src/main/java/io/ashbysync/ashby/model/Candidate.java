package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** Ashby's candidate ({@code candidate.info}, list, search, create, update and friends). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Candidate(
        @JsonProperty(required = true) String id,
        Instant createdAt,
        Instant updatedAt,
        @JsonProperty(required = true) String name,
        ContactInfo primaryEmailAddress,
        List<ContactInfo> emailAddresses,
        ContactInfo primaryPhoneNumber,
        List<ContactInfo> phoneNumbers,
        List<SocialLink> socialLinks,
        List<Tag> tags,
        String position,
        String company,
        String school,
        List<String> applicationIds,
        FileHandle resumeFileHandle,
        List<FileHandle> fileHandles,
        List<CustomFieldValue> customFields,
        String profileUrl,
        Source source,
        User creditedToUser,
        String timezone,
        CandidateLocation location,
        String fraudStatus) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CandidateLocation(String id, String locationSummary, List<LocationComponent> locationComponents) {}

    /** {@code type}: Country, Region or City. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LocationComponent(String type, String name) {}
}
