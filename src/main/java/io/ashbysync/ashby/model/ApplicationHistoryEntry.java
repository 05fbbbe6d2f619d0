package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** One stage an application went through; {@code actorId} is the user who moved it there. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApplicationHistoryEntry(@JsonProperty(required = true) String id, String stageId, String title,
                                      Instant enteredStageAt, Instant leftStageAt, Integer stageNumber,
                                      String actorId, String archiveReasonId) {}
