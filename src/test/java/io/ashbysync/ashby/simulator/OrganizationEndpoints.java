package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** user, department, location, hiringTeamRole and project endpoints. */
final class OrganizationEndpoints {
    private OrganizationEndpoints() {}

    static void register(Endpoint.Registry r) {
        r.add("user.list", "organizationRead", c -> {
            boolean includeDeactivated = c.bool("includeDeactivated", false);
            return c.org.syncLog.page(c, "user.list", c.org.users,
                    u -> includeDeactivated || u.get("isEnabled").asBoolean(), Json::publicView, true);
        });
        r.add("user.search", "organizationRead", c -> {
            String email = c.requiredString("email").trim();
            return Call.ok(Json.array(c.org.users.all().stream()
                    .filter(u -> u.path("email").asText().equalsIgnoreCase(email)).map(Json::publicView).toList()));
        });
        r.add("department.list", "organizationRead", c -> {
            boolean includeArchived = c.bool("includeArchived", false);
            return c.org.syncLog.page(c, "department.list", c.org.departments,
                    d -> includeArchived || !d.get("isArchived").asBoolean(), Json::publicView, true);
        });
        r.add("location.list", "organizationRead", c -> {
            boolean includeArchived = c.bool("includeArchived", false);
            c.bool("includeLocationHierarchy", false);
            return c.org.syncLog.page(c, "location.list", c.org.locations,
                    l -> includeArchived || !l.get("isArchived").asBoolean(), Json::publicView, true);
        });
        r.add("hiringTeamRole.list", "organizationRead", c -> {
            boolean namesOnly = c.bool("namesOnly", true);
            return Call.ok(Json.array(c.org.hiringTeamRoles.all().stream()
                    .map(role -> namesOnly ? (com.fasterxml.jackson.databind.JsonNode) role.get("title")
                            : Json.publicView(role)).toList()));
        });
        r.add("project.list", "candidatesRead", c -> c.org.syncLog.page(c, "project.list", c.org.projects,
                CandidateEndpoints.createdAfter(c), Json::publicView, true));
    }

    static ObjectNode role(String id, String title) {
        return Json.object().put("id", id).put("title", title);
    }
}
