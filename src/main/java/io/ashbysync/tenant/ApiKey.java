package io.ashbysync.tenant;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A tenant's Ashby API key. Its {@link #toString()} never shows the key, so it cannot leak into a log line. */
public final class ApiKey {
    private final String value;

    public ApiKey(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Ashby API key is empty");
        }
        this.value = value.trim();
    }

    /** HTTP Basic with the key as the username and an empty password, as Ashby expects. */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((value + ":").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ApiKey[redacted]";
    }
}
