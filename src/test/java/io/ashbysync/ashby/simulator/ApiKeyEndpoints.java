package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/** apiKey.info: the key's title, creation time and scopes (e.g. "candidates:read"). */
final class ApiKeyEndpoints {
    private ApiKeyEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("apiKey.info", "apiKeysRead", c -> {
            ObjectNode results = Json.object();
            results.put("title", "ashby-sync simulator key");
            results.put("createdAt", Json.iso(c.org.apiKeyCreatedAt()));
            ArrayNode scopes = results.putArray("scopes");
            Map<String, String> sorted = new TreeMap<>();
            for (String permission : c.org.permissions()) {
                sorted.put(scope(permission), permission);
            }
            sorted.keySet().forEach(scopes::add);
            return Call.ok(results);
        });
    }

    /** candidatesRead → candidates:read, hiringProcessMetadataWrite → hiringProcessMetadata:write. */
    static String scope(String permission) {
        if (permission.endsWith("Read")) {
            return permission.substring(0, permission.length() - 4) + ":read";
        }
        return permission.substring(0, permission.length() - 5) + ":write";
    }
}
