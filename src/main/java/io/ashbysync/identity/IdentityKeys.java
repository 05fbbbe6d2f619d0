package io.ashbysync.identity;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/** Normal forms for matching people across Findem and Ashby: one person, one key, however it was typed. */
public final class IdentityKeys {
    private IdentityKeys() {}

    /** Trimmed and lower-cased; empty when it is not an email address. */
    public static Optional<String> email(String raw) {
        if (raw == null) return Optional.empty();
        String email = raw.trim().toLowerCase(Locale.ROOT);
        int at = email.indexOf('@');
        if (at < 1 || at != email.lastIndexOf('@') || at == email.length() - 1 || email.chars().anyMatch(Character::isWhitespace)) {
            return Optional.empty();
        }
        return Optional.of(email);
    }

    /**
     * A LinkedIn profile URL as {@code linkedin.com/in/<slug>}: scheme, {@code www.}/country subdomains, query,
     * fragment and trailing slashes removed, lower-cased. Empty when it is not a LinkedIn profile URL.
     */
    public static Optional<String> linkedIn(String raw) {
        if (raw == null || raw.isBlank()) return Optional.empty();
        String value = raw.trim();
        if (!value.contains("://")) value = "https://" + value;
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (!(host.equals("linkedin.com") || host.endsWith(".linkedin.com"))) return Optional.empty();
        String path = uri.getPath() == null ? "" : uri.getPath().toLowerCase(Locale.ROOT);
        String[] parts = path.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if ((parts[i].equals("in") || parts[i].equals("pub")) && !parts[i + 1].isBlank()) {
                return Optional.of("linkedin.com/in/" + parts[i + 1]);
            }
        }
        return Optional.empty();
    }
}
