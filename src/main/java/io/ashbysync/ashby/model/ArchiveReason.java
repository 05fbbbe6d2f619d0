package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code reasonType}: RejectedByCandidate, RejectedByOrg, Other. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ArchiveReason(@JsonProperty(required = true) String id, @JsonProperty(required = true) String text,
                            String reasonType, boolean isArchived, List<CustomFieldValue> customFields) {}
