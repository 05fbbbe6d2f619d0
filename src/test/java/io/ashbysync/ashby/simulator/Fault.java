package io.ashbysync.ashby.simulator;

import java.time.Duration;

/**
 * One scripted misbehaviour for one request. {@code applyFirst} says whether the request's write is applied
 * before the fault hits, because "did Ashby apply it?" is what a client must cope with.
 */
public record Fault(Kind kind, int status, Integer retryAfterSeconds, Duration delay, String body, boolean applyFirst) {

    public enum Kind { STATUS, RATE_LIMITED, PARTNER_RATE_LIMITED, DROP_CONNECTION, DELAY, HTML, RAW_BODY, REJECTED }

    /** An HTTP error status with Ashby's error envelope (e.g. 500, 503). */
    public static Fault status(int status) {
        return new Fault(Kind.STATUS, status, null, null, null, false);
    }

    /** A per-key 429; {@code retryAfterSeconds} null sends no Retry-After header. */
    public static Fault rateLimited(Integer retryAfterSeconds) {
        return new Fault(Kind.RATE_LIMITED, 429, retryAfterSeconds, null, null, false);
    }

    /** A 429 for the integration partner's combined traffic: carries X-RateLimit-Scope: integration-partner. */
    public static Fault partnerRateLimited(Integer retryAfterSeconds) {
        return new Fault(Kind.PARTNER_RATE_LIMITED, 429, retryAfterSeconds, null, null, false);
    }

    /** Closes the connection without a response, before the request is applied. */
    public static Fault dropConnection() {
        return new Fault(Kind.DROP_CONNECTION, 0, null, null, null, false);
    }

    /** Applies the request, then closes the connection without a response. */
    public static Fault dropConnectionAfterApply() {
        return new Fault(Kind.DROP_CONNECTION, 0, null, null, null, true);
    }

    /** Waits before doing anything (the write is not applied until the wait is over). */
    public static Fault delay(Duration delay) {
        return new Fault(Kind.DELAY, 0, null, delay, null, false);
    }

    /** Applies the request at once, then waits before answering: a client timeout leaves an applied write. */
    public static Fault delayAfterApply(Duration delay) {
        return new Fault(Kind.DELAY, 0, null, delay, null, true);
    }

    /** An HTML error page as a load balancer would send it. */
    public static Fault html(int status) {
        return new Fault(Kind.HTML, status, null, null, null, false);
    }

    /**
     * Ashby's definite refusal: HTTP 200 with {@code success:false} and this error code, as Ashby answers invalid input,
     * things not found or not allowed (e.g. {@code file.info} on a demo account's files); the request id is the
     * request's own. ({@code body} holds the code and the message, a newline apart.)
     */
    public static Fault rejected(String code, String message) {
        return new Fault(Kind.REJECTED, 200, null, null, code + "\n" + message, false);
    }

    /** Any body with any status, for malformed envelopes. */
    public static Fault rawBody(int status, String body) {
        return new Fault(Kind.RAW_BODY, status, null, null, body, false);
    }
}
