package io.ashbysync.ashby.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;

/** {@code apiKey.info}: which scopes the tenant's key was granted. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiKeyInfo(String title, Instant createdAt, List<String> scopes) {}
