package io.ashbysync.poll;

import io.ashbysync.tenant.ConnectionCheck;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One scheduled pass over every active tenant. Tenants are independent: one tenant's failure is recorded and the
 * pass goes on with the next.
 */
@ApplicationScoped
public class PollService {
    private static final Logger LOG = Logger.getLogger(PollService.class);

    private final TenantStore tenants;
    private final ConnectionCheck connectionCheck;

    public PollService(TenantStore tenants, ConnectionCheck connectionCheck) {
        this.tenants = tenants;
        this.connectionCheck = connectionCheck;
    }

    public PollSummary pollAll() {
        List<String> polled = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (TenantConfig tenant : tenants.listActive()) {
            MDC.put("tenantId", tenant.tenantId());
            try {
                connectionCheck.check(tenant);
                polled.add(tenant.tenantId());
            } catch (RuntimeException e) {
                LOG.errorf("poll of tenant %s failed: %s", tenant.tenantId(), e.getMessage());
                failed.add(tenant.tenantId());
            } finally {
                MDC.remove("tenantId");
            }
        }
        return new PollSummary(polled, failed);
    }

    public record PollSummary(List<String> polledTenants, List<String> failedTenants) {}
}
