package io.ashbysync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    /** A non-ASCII secret, to prove the key is used as UTF-8 bytes. */
    private static final String SECRET = "wh-secret-ü-2026";
    /** Computed independently: printf '%s' "$SECRET" ... | openssl dgst -sha256 -hmac "$SECRET" stage-change.json */
    private static final String OPENSSL_VECTOR = "sha256=6d50a1a285eac98c7392cc93199603d6f18dabbde401ee9ac4f02366c772e162";

    private static byte[] fixture() throws IOException {
        try (InputStream in = WebhookSignatureTest.class.getResourceAsStream("/webhook/stage-change.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void sign_fixtureBody_matchesOpensslVector() throws IOException {
        assertThat(WebhookSignature.sign(fixture(), SECRET)).isEqualTo(OPENSSL_VECTOR);
    }

    @Test
    void verify_opensslVector_isAccepted() throws IOException {
        assertThatCode(() -> WebhookSignature.verify(fixture(), OPENSSL_VECTOR, List.of(SECRET))).doesNotThrowAnyException();
    }

    @Test
    void verify_upperCaseHexAndPrefix_isAccepted() throws IOException {
        assertThatCode(() -> WebhookSignature.verify(fixture(), OPENSSL_VECTOR.toUpperCase(), List.of(SECRET)))
                .doesNotThrowAnyException();
    }

    @Test
    void verify_bodyAlteredByOneByte_isRejected() throws IOException {
        byte[] altered = fixture();
        altered[altered.length / 2] ^= 1;
        assertThatThrownBy(() -> WebhookSignature.verify(altered, OPENSSL_VECTOR, List.of(SECRET)))
                .isInstanceOf(WebhookSignatureException.class).hasMessage("Ashby-Signature does not match the body");
    }

    @Test
    void verify_anotherSecret_isRejected() throws IOException {
        assertThatThrownBy(() -> WebhookSignature.verify(fixture(), OPENSSL_VECTOR, List.of("another tenant's secret")))
                .isInstanceOf(WebhookSignatureException.class).hasMessage("Ashby-Signature does not match the body");
    }

    @Test
    void verify_duringRotation_acceptsOldAndNewSecret() throws IOException {
        byte[] body = fixture();
        List<String> rotating = List.of("new-secret", SECRET);
        assertThatCode(() -> WebhookSignature.verify(body, OPENSSL_VECTOR, rotating)).doesNotThrowAnyException();
        assertThatCode(() -> WebhookSignature.verify(body, WebhookSignature.sign(body, "new-secret"), rotating)).doesNotThrowAnyException();
    }

    @Test
    void verify_eachMalformedHeader_saysWhy() throws IOException {
        byte[] body = fixture();
        List<String> secrets = List.of(SECRET);
        assertThatThrownBy(() -> WebhookSignature.verify(body, null, secrets)).hasMessage("missing Ashby-Signature header");
        assertThatThrownBy(() -> WebhookSignature.verify(body, "  ", secrets)).hasMessage("missing Ashby-Signature header");
        assertThatThrownBy(() -> WebhookSignature.verify(body, "sha1=" + OPENSSL_VECTOR.substring(7), secrets))
                .hasMessage("Ashby-Signature does not use the sha256= scheme");
        assertThatThrownBy(() -> WebhookSignature.verify(body, "sha256=not-hex", secrets))
                .hasMessage("Ashby-Signature is not a hex digest");
        assertThatThrownBy(() -> WebhookSignature.verify(body, "sha256=abcd", secrets))
                .hasMessage("Ashby-Signature has the wrong length for HMAC-SHA256");
        assertThatThrownBy(() -> WebhookSignature.verify(body, OPENSSL_VECTOR, List.of()))
                .hasMessage("no webhook secret is configured for this tenant");
    }

    @Test
    void verify_emptyBody_isCheckedLikeAnyOther() {
        byte[] empty = new byte[0];
        String signature = WebhookSignature.sign(empty, SECRET);
        assertThatCode(() -> WebhookSignature.verify(empty, signature, List.of(SECRET))).doesNotThrowAnyException();
        assertThatThrownBy(() -> WebhookSignature.verify(new byte[] {'{'}, signature, List.of(SECRET)))
                .isInstanceOf(WebhookSignatureException.class);
    }
}
