package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** {@code externalLink} is the public posting URL (null on internal boards). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobPosting(@JsonProperty(required = true) String id, String title, String jobId, String departmentName,
                         String locationName, String workplaceType, String employmentType, boolean isListed,
                         String publishedDate, String externalLink, String applyLink, Instant updatedAt) {}
