package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code type}: Lead, PreInterviewScreen, Active, Offer, Hired, Archived. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InterviewStage(@JsonProperty(required = true) String id, @JsonProperty(required = true) String title,
                             @JsonProperty(required = true) String type, int orderInInterviewPlan,
                             String interviewStageGroupId, String interviewPlanId) {
    public boolean isArchived() {
        return "Archived".equals(type);
    }
}
