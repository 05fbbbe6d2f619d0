package io.ashbysync.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.http.HttpRequest;
import io.ashbysync.http.HttpResponse;
import io.ashbysync.tenant.TenantStore;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;

/** What the read routes share: the tenant from the path, 400 for refused input, the JSON answer with its read cost. */
final class SearchRoutes {
    private static final Logger LOG = Logger.getLogger(SearchRoutes.class);

    private SearchRoutes() {}

    static HttpResponse answer(HttpRequest request, TenantStore tenants, ObjectMapper mapper, Function<String, ObjectNode> body) {
        String tenantId = request.pathParameter("tenantId");
        if (tenants.find(tenantId).isEmpty()) return HttpResponse.message(404, "no such tenant: " + tenantId);
        try {
            return HttpResponse.json(200, mapper.writeValueAsString(body.apply(tenantId)));
        } catch (InvalidSearchException refused) {
            LOG.infof("%s refused: %s", request.routeKey(), refused.getMessage());
            return HttpResponse.message(400, refused.getMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("search answer cannot be serialised", e);
        }
    }

    static ObjectNode reads(ObjectMapper mapper, ReadCost cost) {
        ObjectNode reads = mapper.createObjectNode().put("requests", cost.requests()).put("items", cost.items())
                .put("readUnits", cost.computedUnits());
        if (cost.reportedUnits() != null) reads.put("readUnitsReported", cost.reportedUnits());
        return reads;
    }

    static ObjectNode page(ObjectMapper mapper, String field, List<ObjectNode> items, String nextCursor, ReadCost cost) {
        ObjectNode body = mapper.createObjectNode();
        body.putArray(field).addAll(items);
        body.put("nextCursor", nextCursor);
        body.set("reads", reads(mapper, cost));
        return body;
    }
}
