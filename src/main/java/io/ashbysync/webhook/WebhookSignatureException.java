package io.ashbysync.webhook;

/** A webhook delivery whose signature cannot be trusted; the message says why. */
public class WebhookSignatureException extends RuntimeException {
    public WebhookSignatureException(String reason) {
        super(reason);
    }
}
