package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code intendedTypes}: email, inMail, linkedInConnection; only email templates can go with a rejection. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommunicationTemplate(@JsonProperty(required = true) String id, String title, List<String> intendedTypes) {}
