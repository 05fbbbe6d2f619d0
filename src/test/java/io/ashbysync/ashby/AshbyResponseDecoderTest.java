package io.ashbysync.ashby;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Envelope decoding as pure logic; the same paths run over HTTP against the simulator in AshbyClientTest. */
class AshbyResponseDecoderTest {
    private final AshbyResponseDecoder decoder = new AshbyResponseDecoder(new ObjectMapper());

    private static UnaryOperator<String> headers(String... pairs) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
        return map::get;
    }

    private <T extends Throwable> T failure(Class<T> type, int status, UnaryOperator<String> headers, String body) {
        return catchThrowableOfType(type, () -> decoder.decode(AshbyEndpoint.CANDIDATE_CREATE, status, headers, body));
    }

    @Test
    void success_returnsEnvelope() {
        assertThat(decoder.decode(AshbyEndpoint.CANDIDATE_INFO, 200, headers(), "{\"success\":true,\"results\":{\"id\":\"c1\"}}")
                .path("results").path("id").asText()).isEqualTo("c1");
    }

    @Test
    void specErrorShape_isRejectedWithCodeMessageAndRequestId() {
        var e = failure(AshbyException.Rejected.class, 200, headers("x-ashby-request-id", "01HEADERID"),
                "{\"success\":false,\"errors\":[\"application_not_found\"],\"errorInfo\":{\"code\":\"application_not_found\","
                        + "\"message\":\"Application not found\",\"requestId\":\"01JSJ8FEK5ZN4XQBZP7DBKK7ZC\"}}");
        assertThat(e.code()).isEqualTo("application_not_found");
        assertThat(e.requestId()).contains("01JSJ8FEK5ZN4XQBZP7DBKK7ZC");
        assertThat(e.endpoint()).isEqualTo("candidate.create");
        assertThat(e.getMessage()).contains("Application not found");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void objectErrorShapeSeenInTheWild_isRejectedWithItsCode() {
        var e = failure(AshbyException.Rejected.class, 200, headers("x-ashby-request-id", "01HEADERID"),
                "{\"success\":false,\"errors\":[{\"code\":\"invalid_input\",\"message\":\"name is required\"}]}");
        assertThat(e.code()).isEqualTo("invalid_input");
        assertThat(e.getMessage()).contains("name is required");
        assertThat(e.requestId()).contains("01HEADERID");
    }

    @Test
    void parameterErrorShape_namesTheParameter() {
        var e = failure(AshbyException.Rejected.class, 200, headers(),
                "{\"success\":false,\"errors\":[{\"message\":\"must be a uuid\",\"parameter\":\"jobId\"}]}");
        assertThat(e.code()).isEqualTo("unknown_error");
        assertThat(e.getMessage()).contains("jobId: must be a uuid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync_token_expired", "sync_token_invalid", "incremental_sync_too_large",
            "next_cursor_expired", "invalid_next_cursor", "cursor_invalid"})
    void syncStateCodes_areOneRestartSignal(String code) {
        var e = failure(AshbyException.SyncStateExpired.class, 200, headers(),
                "{\"success\":false,\"errors\":[\"" + code + "\"],\"errorInfo\":{\"code\":\"" + code + "\"}}");
        assertThat(e.code()).isEqualTo(code);
    }

    @Test
    void status401_isUnauthorizedConfigurationError() {
        var e = failure(AshbyException.Unauthorized.class, 401, headers(), "Unauthorized");
        assertThat(e.configurationError()).isTrue();
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void status403MissingPermission_namesThePermission() {
        var e = failure(AshbyException.MissingPermission.class, 403, headers(),
                "{\"success\":false,\"errors\":[\"missing_endpoint_permission\"],\"errorInfo\":{\"code\":\"missing_endpoint_permission\",\"requestId\":\"r1\"}}");
        assertThat(e.permission()).isEqualTo("candidatesWrite");
        assertThat(e.configurationError()).isTrue();
        assertThat(e.requestId()).contains("r1");
    }

    @Test
    void status403WithoutCode_isBadKey() {
        assertThat(failure(AshbyException.Unauthorized.class, 403, headers(), "Forbidden").code()).isEqualTo("forbidden");
    }

    @Test
    void status429_carriesRetryAfterAndScope() {
        var e = failure(AshbyException.RateLimited.class, 429, headers("Retry-After", "7", "X-RateLimit-Scope", "integration-partner"),
                "{\"success\":false,\"errors\":[\"rate_limit_exceeded\"],\"errorInfo\":{\"code\":\"rate_limit_exceeded\"}}");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.partnerScope()).isTrue();
        assertThat(e.safeToRetryWrite()).isTrue();
        var perKey = failure(AshbyException.RateLimited.class, 429, headers(), "{\"success\":false,\"errors\":[\"rate_limit_exceeded\"]}");
        assertThat(perKey.partnerScope()).isFalse();
        assertThat(perKey.retryAfter()).isEmpty();
    }

    @Test
    void status5xxHtmlPage_isUnavailableAndNotSafeForWrites() {
        var e = failure(AshbyException.Unavailable.class, 502, headers("x-ashby-request-id", "01GATEWAY"),
                "<html><body><h1>502 Bad Gateway</h1></body></html>");
        assertThat(e.retryable()).isTrue();
        assertThat(e.safeToRetryWrite()).isFalse();
        assertThat(e.requestId()).contains("01GATEWAY");
    }

    @Test
    void malformedBodiesOn200_areTypedWithEndpointAndRequestId() {
        UnaryOperator<String> h = headers("x-ashby-request-id", "01MALFORMED");
        for (String body : new String[] {"<html>oops</html>", "", "[]", "{\"results\":{}}", "{\"success\":\"yes\",\"results\":{}}",
                "{\"success\":true}"}) {
            var e = failure(AshbyException.MalformedResponse.class, 200, h, body);
            assertThat(e.endpoint()).as(body).isEqualTo("candidate.create");
            assertThat(e.requestId()).as(body).contains("01MALFORMED");
        }
    }

    @Test
    void retryAfterAsHttpDate_isHonoured() {
        String inTenSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
        assertThat(AshbyResponseDecoder.retryAfter(inTenSeconds)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(AshbyResponseDecoder.retryAfter("soon")).isNull();
    }
}
