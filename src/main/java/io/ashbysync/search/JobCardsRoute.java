package io.ashbysync.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.http.HttpRequest;
import io.ashbysync.http.HttpResponse;
import io.ashbysync.http.HttpRoute;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** {@code GET /tenants/{tenantId}/jobs?hiringTeamMember=&limit=&cursor=}: job cards from the mirror (IAM-authorised). */
@ApplicationScoped
public class JobCardsRoute implements HttpRoute {
    public static final String ROUTE_KEY = "GET /tenants/{tenantId}/jobs";
    private static final List<String> PARAMETERS = List.of("hiringTeamMember", "limit", "cursor");

    private final JobCards jobCards;
    private final TenantStore tenants;
    private final ObjectMapper mapper;

    public JobCardsRoute(JobCards jobCards, TenantStore tenants, ObjectMapper mapper) {
        this.jobCards = jobCards;
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
            SearchParameters.onlyKnown(request.queryParameters(), PARAMETERS);
            JobCards.Page page = jobCards.cards(tenantId, SearchParameters.id(request.queryParameters(), "hiringTeamMember"),
                    SearchParameters.limit(request.queryParameters()), request.queryParameters().get("cursor"));
            return SearchRoutes.page(mapper, "jobs", page.jobs(), page.nextCursor(), page.cost());
        });
    }
}
