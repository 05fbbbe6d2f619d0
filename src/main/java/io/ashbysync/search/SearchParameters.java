package io.ashbysync.search;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Validation of query parameters shared by the read routes. */
final class SearchParameters {
    static final int DEFAULT_LIMIT = 25;
    static final int MAX_LIMIT = 100;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private SearchParameters() {}

    /** Refuses any parameter the route does not know, naming it. */
    static void onlyKnown(Map<String, String> parameters, List<String> known) {
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        known.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new InvalidSearchException("unknown query parameter" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; allowed: " + String.join(", ", known));
        }
    }

    /** An Ashby id (or null when absent); API Gateway joins repeated parameters with commas, so one value only. */
    static String id(Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null) return null;
        if (value.contains(",")) throw new InvalidSearchException(name + " takes one value");
        if (!ID.matcher(value).matches()) throw new InvalidSearchException(name + " is not an id (1-100 of A-Z, a-z, 0-9, '-', '_')");
        return value;
    }

    static String oneOf(Map<String, String> parameters, String name, List<String> allowed) {
        String value = parameters.get(name);
        if (value == null) return null;
        if (!allowed.contains(value)) throw new InvalidSearchException(name + " must be one of " + String.join(", ", allowed));
        return value;
    }

    /** An ISO-8601 instant ({@code 2025-03-01T09:00:00Z}) or a date (midnight UTC). */
    static Instant instant(Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null) return null;
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidSearchException(name + " is not an ISO-8601 date-time (e.g. 2025-03-01T09:00:00Z) or date (2025-03-01)");
        }
    }

    static int limit(Map<String, String> parameters) {
        String value = parameters.get("limit");
        if (value == null) return DEFAULT_LIMIT;
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) return limit;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new InvalidSearchException("limit must be a whole number from 1 to " + MAX_LIMIT);
    }
}
