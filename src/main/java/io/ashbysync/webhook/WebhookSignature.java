package io.ashbysync.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Ashby's webhook signature: {@code Ashby-Signature: sha256=<lowercase hex HMAC-SHA256 of the raw body>}, keyed with
 * the webhook's secret token as UTF-8. Verification works on the raw bytes before any parsing, compares in constant
 * time, and accepts any of several secrets so a rotation needs no downtime. Ashby sends no timestamp, so replays are
 * stopped by de-duplicating {@code webhookActionId}, not here.
 */
public final class WebhookSignature {
    public static final String HEADER = "Ashby-Signature";
    private static final String SCHEME = "sha256=";
    private static final String ALGORITHM = "HmacSHA256";

    private WebhookSignature() {}

    /** The header value Ashby would send for this body and secret. */
    public static String sign(byte[] rawBody, String secret) {
        return SCHEME + HexFormat.of().formatHex(hmac(rawBody, secret));
    }

    /**
     * @param secrets every secret currently valid for the tenant (old and new during a rotation)
     * @throws WebhookSignatureException with the reason when the header is missing, malformed or matches no secret
     */
    public static void verify(byte[] rawBody, String header, List<String> secrets) {
        if (header == null || header.isBlank()) {
            throw new WebhookSignatureException("missing " + HEADER + " header");
        }
        String value = header.trim();
        if (!value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new WebhookSignatureException(HEADER + " does not use the sha256= scheme");
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(value.substring(SCHEME.length()));
        } catch (IllegalArgumentException e) {
            throw new WebhookSignatureException(HEADER + " is not a hex digest");
        }
        if (presented.length != 32) {
            throw new WebhookSignatureException(HEADER + " has the wrong length for HMAC-SHA256");
        }
        if (secrets.isEmpty()) {
            throw new WebhookSignatureException("no webhook secret is configured for this tenant");
        }
        boolean matched = false;
        for (String secret : secrets) {
            // Check every secret, so timing does not reveal which one matched.
            matched |= MessageDigest.isEqual(presented, hmac(rawBody, secret));
        }
        if (!matched) {
            throw new WebhookSignatureException(HEADER + " does not match the body");
        }
    }

    private static byte[] hmac(byte[] body, String secret) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
