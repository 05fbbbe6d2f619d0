package io.ashbysync.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.http.HttpRequest;
import io.ashbysync.http.HttpResponse;
import io.ashbysync.http.HttpRoute;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code GET /tenants/{tenantId}/candidates?job=&stage=&status=&archiveReason=&tag=&hiringTeamMember=&source=
 * &updatedSince=&limit=&cursor=}: rediscovery search over the mirror (IAM-authorised).
 */
@ApplicationScoped
public class CandidateSearchRoute implements HttpRoute {
    public static final String ROUTE_KEY = "GET /tenants/{tenantId}/candidates";

    private final CandidateSearch search;
    private final TenantStore tenants;
    private final ObjectMapper mapper;

    public CandidateSearchRoute(CandidateSearch search, TenantStore tenants, ObjectMapper mapper) {
        this.search = search;
        this.tenants = tenants;
        this.mapper = mapper;
    }

    @Override
    public String routeKey() {
        return ROUTE_KEY;
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        return SearchRoutes.answer(request, tenants, mapper, tenantId -> {
            CandidateFilters filters = CandidateFilters.from(request.queryParameters());
            CandidateSearch.Page page = search.search(tenantId, filters, SearchParameters.limit(request.queryParameters()),
                    request.queryParameters().get("cursor"));
            return SearchRoutes.page(mapper, "hits", page.hits(), page.nextCursor(), page.cost()).put("drivenBy", page.drivenBy());
        });
    }
}
