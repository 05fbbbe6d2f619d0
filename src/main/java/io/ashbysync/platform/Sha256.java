package io.ashbysync.platform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 digests: of content that must be recognised again (payloads, mirror rows, stored claims). */
public final class Sha256 {
    private Sha256() {}

    public static byte[] digest(byte[] bytes) {
        return newDigest().digest(bytes);
    }

    public static byte[] digest(String text) {
        return digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A digest to feed piece by piece (a stream). */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
