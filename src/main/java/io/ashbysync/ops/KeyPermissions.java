package io.ashbysync.ops;

import io.ashbysync.ashby.AshbyEndpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a key's scopes (from {@code apiKey.info}, e.g. {@code candidates:read}) mean in Ashby's permission modules,
 * and which permissions the product needs but the key lacks, in words an admin can act on. The needed permissions
 * come from the endpoint catalog, so a new endpoint is checked without touching this class.
 */
public final class KeyPermissions {
    /** Ashby's module (as its admin UI names it) behind each scope prefix; ashby-api.md section 1. */
    static final Map<String, String> MODULES = Map.ofEntries(
            Map.entry("candidates", "Candidates"), Map.entry("jobs", "Jobs"), Map.entry("interviews", "Interviews"),
            Map.entry("hiringProcessMetadata", "Hiring Process Metadata"), Map.entry("organization", "Organization"),
            Map.entry("offers", "Offers"), Map.entry("apiKeys", "API Keys"), Map.entry("approvals", "Approvals"),
            Map.entry("reports", "Reports"), Map.entry("notetaker", "Notetaker"));

    /** What stops working without each permission the product uses. */
    private static final Map<String, String> CONSEQUENCES = Map.of(
            "candidatesRead", "candidates, applications, notes and files are not mirrored to Findem",
            "candidatesWrite", "Findem cannot export candidates, add notes or files, or advance and reject applications",
            "jobsRead", "jobs and job postings are not mirrored and exports to a job fail",
            "interviewsRead", "interview plans and stages are not mirrored, so stages cannot be chosen",
            "hiringProcessMetadataRead", "tags, custom fields, sources, archive reasons and email templates are not mirrored",
            "hiringProcessMetadataWrite", "exports cannot create tags",
            "organizationRead", "users and departments are not mirrored and actions cannot be made as the recruiter",
            "apiKeysRead", "the key's permissions and the webhooks' health cannot be checked",
            "apiKeysWrite", "webhooks cannot be created, so changes reach Findem only by polling (minutes, not seconds)");

    /**
     * @param permission  e.g. {@code candidatesWrite}
     * @param module      Ashby's module name, e.g. {@code Candidates}
     * @param access      {@code read} or {@code write}
     * @param consequence what does not work without it
     * @param endpoints   the product's endpoints that need it
     */
    public record Missing(String permission, String module, String access, String consequence, List<String> endpoints) {
        /** One line for a person: "Candidates (write): Findem cannot export candidates, … — missing permission: candidatesWrite". */
        public String sentence() {
            return module + " (" + access + "): " + consequence + " — missing permission: " + permission;
        }
    }

    /** @param unknownScopes scopes this product cannot map to a module, shown exactly as Ashby returned them */
    public record Report(List<String> granted, List<Missing> missing, List<String> unknownScopes) {
        public boolean has(String permission) {
            return granted.contains(permission);
        }
    }

    private KeyPermissions() {}

    /** The permissions the product uses, from the endpoint catalog. */
    public static Set<String> needed() {
        Set<String> needed = new TreeSet<>();
        Arrays.stream(AshbyEndpoint.values()).forEach(e -> needed.add(e.permission()));
        return needed;
    }

    public static Report of(List<String> scopes) {
        List<String> granted = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String scope : scopes == null ? List.<String>of() : scopes) {
            String permission = permission(scope);
            if (permission == null) unknown.add(scope);
            else granted.add(permission);
        }
        List<Missing> missing = new ArrayList<>();
        for (String permission : needed()) {
            if (!granted.contains(permission)) missing.add(missing(permission));
        }
        return new Report(List.copyOf(granted), List.copyOf(missing), List.copyOf(unknown));
    }

    /** Describes one permission the key lacks, e.g. from a {@code missing_endpoint_permission} error. */
    public static Missing missing(String permission) {
        boolean write = permission.endsWith("Write");
        String prefix = permission.substring(0, permission.length() - (write ? 5 : 4));
        Map<String, List<String>> byPermission = new LinkedHashMap<>();
        Arrays.stream(AshbyEndpoint.values()).forEach(e -> byPermission.computeIfAbsent(e.permission(), p -> new ArrayList<>()).add(e.path()));
        return new Missing(permission, MODULES.getOrDefault(prefix, prefix), write ? "write" : "read",
                CONSEQUENCES.getOrDefault(permission, "some of the product's calls are refused"),
                byPermission.getOrDefault(permission, List.of()));
    }

    /** {@code candidates:read} → {@code candidatesRead}; null when the scope is not {@code <known module>:read|write}. */
    static String permission(String scope) {
        if (scope == null) return null;
        String[] parts = scope.split(":", 2);
        if (parts.length != 2 || !MODULES.containsKey(parts[0])) return null;
        return switch (parts[1]) {
            case "read" -> parts[0] + "Read";
            case "write" -> parts[0] + "Write";
            default -> null;
        };
    }
}
