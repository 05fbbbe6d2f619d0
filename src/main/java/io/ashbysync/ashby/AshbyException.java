package io.ashbysync.ashby;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything that can go wrong talking to Ashby, one subclass per thing a caller does differently.
 * Each carries the endpoint, Ashby's error code, Ashby's request id (opaque) and the HTTP status.
 */
public abstract sealed class AshbyException extends RuntimeException {
    private final String endpoint;
    private final String code;
    private final String requestId;
    private final int httpStatus;

    AshbyException(String endpoint, String code, String message, String requestId, int httpStatus, Throwable cause) {
        super(message, cause);
        this.endpoint = endpoint;
        this.code = code;
        this.requestId = requestId;
        this.httpStatus = httpStatus;
    }

    public String endpoint() { return endpoint; }

    /** Ashby's error code (`errorInfo.code`), or a code of ours for failures that never reached Ashby's envelope. */
    public String code() { return code; }

    public Optional<String> requestId() { return Optional.ofNullable(requestId); }

    /** 0 when no HTTP response was received. */
    public int httpStatus() { return httpStatus; }

    /** Whether repeating the same read could succeed. Writes have their own rule: see {@link #safeToRetryWrite()}. */
    public boolean retryable() { return false; }

    /** Whether Ashby certainly did not apply the request, so a write may be sent again without risk of duplicates. */
    public boolean safeToRetryWrite() { return false; }

    /** A problem with the tenant's key or its permissions: retrying won't help, an admin must act. */
    public boolean configurationError() { return false; }

    @Override
    public String getMessage() {
        return super.getMessage() + " [endpoint=" + endpoint + ", code=" + code
                + (requestId != null ? ", requestId=" + requestId : "")
                + (httpStatus != 0 ? ", status=" + httpStatus : "") + "]";
    }

    /** 401 (no key) or 403 (unknown or deactivated key). */
    public static final class Unauthorized extends AshbyException {
        public Unauthorized(String endpoint, String code, String message, String requestId, int httpStatus) {
            super(endpoint, code, message, requestId, httpStatus, null);
        }
        @Override public boolean configurationError() { return true; }
    }

    /** 403 `missing_endpoint_permission`: the key lacks the module permission this endpoint needs. */
    public static final class MissingPermission extends AshbyException {
        private final String permission;
        public MissingPermission(String endpoint, String permission, String message, String requestId) {
            super(endpoint, "missing_endpoint_permission", message, requestId, 403, null);
            this.permission = permission;
        }
        /** The permission our endpoint catalog says is needed, e.g. {@code candidatesWrite}. */
        public String permission() { return permission; }
        @Override public boolean configurationError() { return true; }
    }

    /** 429. Ashby did not apply the request, so even writes may be retried. */
    public static final class RateLimited extends AshbyException {
        private final Duration retryAfter;
        private final boolean partnerScope;
        public RateLimited(String endpoint, String code, String message, String requestId, Duration retryAfter, boolean partnerScope) {
            super(endpoint, code, message, requestId, 429, null);
            this.retryAfter = retryAfter;
            this.partnerScope = partnerScope;
        }
        public Optional<Duration> retryAfter() { return Optional.ofNullable(retryAfter); }
        /** {@code X-RateLimit-Scope: integration-partner}: Ashby throttles the whole integration, every tenant. */
        public boolean partnerScope() { return partnerScope; }
        @Override public boolean retryable() { return true; }
        @Override public boolean safeToRetryWrite() { return true; }
    }

    /** A sync token or cursor that Ashby no longer accepts: the stream must restart with a full listing. */
    public static final class SyncStateExpired extends AshbyException {
        public static final List<String> CODES = List.of("sync_token_expired", "sync_token_invalid",
                "incremental_sync_too_large", "next_cursor_expired", "invalid_next_cursor", "cursor_invalid");
        public SyncStateExpired(String endpoint, String code, String message, String requestId) {
            super(endpoint, code, message, requestId, 200, null);
        }
    }

    /** Ashby understood the request and said no (`success:false`): invalid input, not found, not allowed. */
    public static final class Rejected extends AshbyException {
        private final List<String> errors;
        public Rejected(String endpoint, String code, String message, String requestId, List<String> errors) {
            super(endpoint, code, message, requestId, 200, null);
            this.errors = List.copyOf(errors);
        }
        /** Every error code in the response (the deprecated `errors` array), first one equal to {@link #code()}. */
        public List<String> errors() { return errors; }
    }

    /** 5xx, timeout or broken connection on a read, or a connection refused before anything was sent. */
    public static final class Unavailable extends AshbyException {
        private final boolean requestSent;
        public Unavailable(String endpoint, String code, String message, String requestId, int httpStatus, boolean requestSent, Throwable cause) {
            super(endpoint, code, message, requestId, httpStatus, cause);
            this.requestSent = requestSent;
        }
        @Override public boolean retryable() { return true; }
        @Override public boolean safeToRetryWrite() { return !requestSent; }
    }

    /**
     * A write failed after the request may have reached Ashby (5xx, timeout, dropped connection). Ashby has no
     * idempotency key, so the caller must look at Ashby's state before deciding to send it again.
     */
    public static final class WriteOutcomeUnknown extends AshbyException {
        public WriteOutcomeUnknown(Unavailable cause) {
            super(cause.endpoint(), cause.code(), "write may or may not have been applied by Ashby: " + cause.rawMessage(),
                    cause.requestId().orElse(null), cause.httpStatus(), cause);
        }
    }

    /** The response was not a well-formed Ashby envelope or entity (HTML page, missing `success`, wrong types). */
    public static final class MalformedResponse extends AshbyException {
        public MalformedResponse(String endpoint, String message, String requestId, int httpStatus, Throwable cause) {
            super(endpoint, "malformed_response", message, requestId, httpStatus, cause);
        }
    }

    String rawMessage() { return super.getMessage(); }
}
