package io.ashbysync.tenant;

import java.util.regex.Pattern;

/** Tenant ids appear in table keys, SSM paths and URLs, so they are restricted to a safe alphabet. */
public final class TenantIds {
    public static final String RULE = "1-64 characters of a-z, A-Z, 0-9, '-' or '_'";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private TenantIds() {}

    public static boolean isValid(String tenantId) {
        return tenantId != null && VALID.matcher(tenantId).matches();
    }
}
