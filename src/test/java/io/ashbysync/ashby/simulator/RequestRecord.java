package io.ashbysync.ashby.simulator;

import java.time.Instant;
import java.util.Map;

/**
 * One request as the simulator received it. {@code apiKey} is null without (parsable) Basic auth; {@code headers}
 * holds the headers tests care about (Ashby-Version, X-On-Behalf-Of, Content-Type, User-Agent, Idempotency-Key);
 * {@code httpStatus} and {@code errorCode} say how it was answered (status 0 = connection dropped).
 */
public record RequestRecord(Instant receivedAt, String endpoint, String apiKey, Map<String, String> headers,
                            String body, int httpStatus, String errorCode) {
}
