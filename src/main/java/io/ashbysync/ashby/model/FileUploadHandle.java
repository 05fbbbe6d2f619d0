package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** {@code file.createFileUploadHandle}: POST the file as multipart to {@code url} with {@code fields}, then use {@code handle}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FileUploadHandle(@JsonProperty(required = true) String handle, @JsonProperty(required = true) String url,
                               Map<String, String> fields) {}
