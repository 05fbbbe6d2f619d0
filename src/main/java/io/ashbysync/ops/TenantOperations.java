package io.ashbysync.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.model.ApiKeyInfo;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.Deadline;
import io.ashbysync.tenant.ApiKey;
import io.ashbysync.tenant.InvalidTenantConfigException;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantIds;
import io.ashbysync.tenant.TenantNotFoundException;
import io.ashbysync.tenant.TenantStatus;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.work.WorkItem;
import io.ashbysync.work.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A tenant's life cycle: onboarding (key checked, secrets stored, webhooks created, first sync started), key and
 * webhook-secret rotation without downtime, pause and resume, offboarding that leaves nothing behind.
 */
@ApplicationScoped
public class TenantOperations {
    private static final Logger LOG = Logger.getLogger(TenantOperations.class);
    static final String KEY_CHECK_SK = "KEYCHECK";
    static final String ROTATION_SK = "ROTATION#webhook-secret";

    public record Onboarded(String tenantId, TenantStatus status, String keyTitle, KeyPermissions.Report permissions,
                            List<TenantWebhooks.Saved> webhooks, List<String> manualSteps, boolean firstSyncStarted) {}

    public record KeyRotated(String tenantId, KeyPermissions.Report permissions, String nextStep) {}

    /** @param phase {@code staged}, {@code switched} or {@code finished}; {@code nextStepAt} when to call again */
    public record SecretRotation(String tenantId, String phase, Instant nextStepAt, String message) {}

    public record Offboarded(String tenantId, List<String> webhooksLeftInAshby, int secretsDeleted,
                             Map<String, Long> deleted, boolean complete, List<String> manualSteps) {}

    private final TenantStore tenants;
    private final TenantSecretStore secrets;
    private final TenantWebhooks webhooks;
    private final TenantPurge purge;
    private final AshbyClient ashby;
    private final WorkQueue work;
    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final OpsConfig config;
    private final ObjectMapper mapper;
    private final Clock clock = Clock.systemUTC();

    public TenantOperations(TenantStore tenants, TenantSecretStore secrets, TenantWebhooks webhooks, TenantPurge purge,
                            AshbyClient ashby, WorkQueue work, DynamoDbClient dynamo, AwsResources resources, OpsConfig config,
                            ObjectMapper mapper) {
        this.tenants = tenants;
        this.secrets = secrets;
        this.webhooks = webhooks;
        this.purge = purge;
        this.ashby = ashby;
        this.work = work;
        this.dynamo = dynamo;
        this.resources = resources;
        this.config = config;
        this.mapper = mapper;
    }

    // ---- onboarding -----------------------------------------------------------------------------------------------

    /**
     * Registers a tenant. Any failure after the first write rolls everything back (webhooks, secrets, rows), so a
     * failed onboarding can simply be repeated.
     */
    public Onboarded onboard(String tenantId, String apiKey, int requestsPerMinute, String webhookBaseUrl) {
        if (!TenantIds.isValid(tenantId)) throw new OpsException(400, "tenantId: " + TenantIds.RULE);
        if (apiKey == null || apiKey.isBlank()) throw new OpsException(400, "apiKey: required");
        if (requestsPerMinute < 1 || requestsPerMinute > 100_000) throw new OpsException(400, "requestsPerMinute: 1 to 100000");
        if (tenants.find(tenantId).isPresent()) {
            throw new OpsException(409, "tenant '" + tenantId + "' is already registered (rotate its key, or offboard it first)");
        }
        // Registered DISABLED until the end: webhook pings need the row, the poller and commands must not start yet.
        TenantConfig pending = new TenantConfig(tenantId, TenantStatus.DISABLED, requestsPerMinute);
        boolean activated = false;
        try {
            ApiKeyInfo info = checkKey(pending, new ApiKey(apiKey));
            KeyPermissions.Report report = info == null ? keyCannotReadItsScopes() : KeyPermissions.of(info.scopes());
            tenants.save(pending);
            secrets.putApiKey(tenantId, apiKey);
            String secret = TenantSecretStore.newWebhookSecret();
            secrets.putWebhookSecret(tenantId, secret);
            saveKeyCheck(tenantId, report);
            List<String> manual = new ArrayList<>();
            String url = TenantWebhooks.webhookUrl(webhookBaseUrl, tenantId);
            List<TenantWebhooks.Saved> created = List.of();
            try {
                created = webhooks.createAll(ashby.forTenant(pending), url, secret);
            } catch (AshbyException.MissingPermission missing) {
                manual.add("Give the key " + KeyPermissions.missing(missing.permission()).module()
                        + " write access and run the webhook check, or create these webhooks by hand in Ashby (Admin → Integrations → Webhooks) with URL "
                        + url + " and the secret stored in SSM: " + String.join(", ", TenantWebhooks.TYPES));
            }
            created.stream().filter(h -> !h.enabled()).forEach(h -> manual.add("Ashby saved the " + h.webhookType()
                    + " webhook disabled (its ping to " + url + " failed): make the URL reachable, then run the webhook check"));
            for (String type : TenantWebhooks.MANUAL_TYPES) {
                manual.add("Ashby's API cannot create " + type + " webhooks: in Ashby, Admin → Integrations → Webhooks → New, type "
                        + type + ", URL " + url + ", secret token: the value of SSM parameter "
                        + io.ashbysync.tenant.SsmTenantSecrets.webhookSecretParameter(resources.ssmPrefix(), tenantId));
            }
            report.missing().forEach(m -> manual.add("In Ashby, Admin → Integrations → API Keys, give the key " + m.module()
                    + " " + m.access() + " access; until then " + m.consequence()));
            tenants.updateStatus(tenantId, TenantStatus.ACTIVE);
            activated = true;
            work.send(List.of(new WorkItem(FirstSyncWork.TYPE, tenantId, "first-sync-" + tenantId, mapper.createObjectNode())));
            LOG.infof("tenant %s onboarded: %d webhooks, %d permissions missing", tenantId, created.size(), report.missing().size());
            return new Onboarded(tenantId, TenantStatus.ACTIVE, info == null ? null : info.title(), report, created, manual, true);
        } catch (RuntimeException e) {
            rollBack(pending, activated);
            throw e;
        }
    }

    /**
     * @param activated whether the tenant became ACTIVE; until then nothing but its own partitions holds its data
     *                  (see {@link TenantPurge#purgeNeverActive}), so the clean-up does not sweep the shared tables
     */
    private void rollBack(TenantConfig pending, boolean activated) {
        try {
            Offboarded cleaned = offboardNow(pending, activated);
            if (!cleaned.complete()) {
                LOG.warnf("onboarding of %s failed and its clean-up ran out of time: offboard it until complete", pending.tenantId());
            }
        } catch (RuntimeException cleanupFailed) {
            LOG.errorf(cleanupFailed, "onboarding of %s failed and so did its clean-up: offboard it", pending.tenantId());
        }
    }

    /** apiKey.info with a key that is not stored yet; null when the key may not read its own scopes. */
    private ApiKeyInfo checkKey(TenantConfig tenant, ApiKey key) {
        try {
            return ashby.withCandidateKey(tenant, key).call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);
        } catch (AshbyException.Unauthorized refused) {
            throw new OpsException(422, "apiKey: Ashby refused the key (wrong, revoked or deactivated)");
        } catch (AshbyException.MissingPermission cannotReadScopes) {
            return null;
        } catch (AshbyException.Unavailable | AshbyException.RateLimited unreachable) {
            throw new OpsException(502, "Ashby could not be reached to check the key: " + unreachable.getMessage());
        }
    }

    private static KeyPermissions.Report keyCannotReadItsScopes() {
        KeyPermissions.Missing apiKeysRead = KeyPermissions.missing("apiKeysRead");
        return new KeyPermissions.Report(List.of(), List.of(apiKeysRead), List.of());
    }

    // ---- rotation -------------------------------------------------------------------------------------------------

    /**
     * Checks the new key with {@code apiKey.info} before it replaces the stored one. Ashby keeps the old key valid
     * until an admin revokes it, so there is no gap: instances switch as their cached key expires.
     */
    public KeyRotated rotateApiKey(String tenantId, String apiKey) {
        TenantConfig tenant = existing(tenantId);
        if (apiKey == null || apiKey.isBlank()) throw new OpsException(400, "apiKey: required");
        ApiKeyInfo info = checkKey(tenant, new ApiKey(apiKey));
        KeyPermissions.Report report = info == null ? keyCannotReadItsScopes() : KeyPermissions.of(info.scopes());
        secrets.putApiKey(tenantId, apiKey);
        saveKeyCheck(tenantId, report);
        LOG.infof("tenant %s: API key rotated", tenantId);
        return new KeyRotated(tenantId, report, "Revoke the old key in Ashby after " + config.secretPropagation()
                + " (until then instances may still use their cached copy)");
    }

    /**
     * Three calls, each allowed once the previous step has settled: {@code staged} (the new secret is current, the
     * old one previous: the webhook function accepts both), after every instance's secret cache expired
     * {@code switched} (Ashby's webhooks sign with the new one), after Ashby's retry window {@code finished} (the old
     * one is dropped). No delivery is refused at any point.
     */
    public SecretRotation rotateWebhookSecret(String tenantId) {
        TenantConfig tenant = existing(tenantId);
        Instant now = clock.instant();
        Map<String, AttributeValue> state = row(tenantId, ROTATION_SK);
        String phase = state.isEmpty() ? null : state.get("phase").s();
        Instant since = state.isEmpty() ? null : Instant.parse(state.get("at").s());
        if (phase == null || phase.equals("finished")) {
            String old = secrets.webhookSecret(tenantId).orElseThrow(() -> new OpsException(409, "tenant has no webhook secret"));
            secrets.putPreviousWebhookSecret(tenantId, old);
            secrets.putWebhookSecret(tenantId, TenantSecretStore.newWebhookSecret());
            saveRotation(tenantId, "staged", now);
            Instant next = now.plus(config.secretPropagation());
            return new SecretRotation(tenantId, "staged", next, "New secret stored; both are accepted. Call again after " + next
                    + " to move Ashby's webhooks to it");
        }
        if (phase.equals("staged")) {
            Instant allowed = since.plus(config.secretPropagation());
            if (now.isBefore(allowed)) throw new OpsException(409, "wait until " + allowed + ": instances may still cache only the old secret");
            webhooks.updateSecret(ashby.forTenant(tenant), secrets.webhookSecret(tenantId).orElseThrow());
            saveRotation(tenantId, "switched", now);
            Instant next = now.plus(config.webhookRetryWindow());
            return new SecretRotation(tenantId, "switched", next, "Ashby signs with the new secret; the old one is accepted until "
                    + "Ashby's retries of older deliveries are over. Call again after " + next + " to drop it");
        }
        Instant allowed = since.plus(config.webhookRetryWindow());
        if (now.isBefore(allowed)) throw new OpsException(409, "wait until " + allowed + ": Ashby may still retry deliveries signed with the old secret");
        secrets.deletePreviousWebhookSecret(tenantId);
        saveRotation(tenantId, "finished", now);
        return new SecretRotation(tenantId, "finished", null, "The old secret is dropped");
    }

    // ---- pause, resume, webhook health ----------------------------------------------------------------------------

    /**
     * PAUSED is the read-only kill switch: nothing is written to Ashby (commands, and rejection chunks they queued
     * before, are answered {@code tenant_not_active}); the poller and webhooks go on reading Ashby into the mirror.
     */
    public TenantConfig setStatus(String tenantId, TenantStatus status) {
        TenantConfig changed;
        existing(tenantId); // a row that cannot be read is refused before anything is written
        try {
            // only the status: the row's other attributes (receiptNotes, anything set outside TenantConfig) stay
            changed = tenants.updateStatus(tenantId, status);
        } catch (TenantNotFoundException missing) {
            throw new OpsException(404, "no tenant '" + tenantId + "'");
        }
        LOG.infof("tenant %s is now %s", tenantId, status);
        return changed;
    }

    public List<TenantWebhooks.Checked> checkWebhooks(String tenantId) {
        TenantConfig tenant = existing(tenantId);
        String secret = secrets.webhookSecret(tenantId).orElseThrow(() -> new OpsException(409, "tenant has no webhook secret"));
        return webhooks.check(ashby.forTenant(tenant), secret);
    }

    // ---- offboarding ----------------------------------------------------------------------------------------------

    /** Disables the tenant, deletes its webhooks in Ashby, its secrets and all its data. Repeat until complete. */
    public Offboarded offboard(String tenantId) {
        TenantConfig tenant;
        try {
            tenant = existing(tenantId);
        } catch (InvalidTenantConfigException unreadable) {
            // a row nothing else can use must still be removable: its webhooks are deleted at the default budget
            tenant = new TenantConfig(tenantId, TenantStatus.DISABLED, TenantConfig.DEFAULT_REQUESTS_PER_MINUTE);
        }
        return offboardNow(tenant, true);
    }

    private Offboarded offboardNow(TenantConfig tenant, boolean everActive) {
        String tenantId = tenant.tenantId();
        try {
            tenants.updateStatus(tenantId, TenantStatus.DISABLED);
        } catch (TenantNotFoundException notRegistered) {
            // a rollback of an onboarding that failed before the row was written
        } catch (InvalidTenantConfigException unreadable) {
            // DISABLED is written; the row's other fields do not matter to a tenant being removed
        }
        List<String> left = List.of();
        List<String> manual = new ArrayList<>();
        if (!webhooks.saved(tenantId).isEmpty()) {
            try {
                left = webhooks.deleteAll(ashby.forTenant(tenant));
            } catch (RuntimeException noKey) {
                left = webhooks.saved(tenantId).stream().map(TenantWebhooks.Saved::webhookId).toList();
            }
        }
        if (!left.isEmpty()) {
            manual.add("Delete these webhooks in Ashby (Admin → Integrations → Webhooks): " + String.join(", ", left));
        }
        manual.add("Delete the jobCreate/jobUpdate webhooks for this tenant in Ashby if they were created by hand, and revoke its API key");
        int secretsDeleted = secrets.deleteAll(tenantId);
        // the budget, and never past the invocation's deadline (a rollback after a slow onboarding has less left)
        Instant deadline = Deadline.earlierOf(clock.instant().plus(config.purgeTimeBudget()));
        TenantPurge.Purged purged = everActive ? purge.purge(tenantId, deadline) : purge.purgeNeverActive(tenantId, deadline);
        LOG.infof("tenant %s offboarded (complete=%s): %s", tenantId, purged.complete(), purged.deleted());
        return new Offboarded(tenantId, left, secretsDeleted, purged.deleted(), purged.complete(), manual);
    }

    // ---- rows -----------------------------------------------------------------------------------------------------

    TenantConfig existing(String tenantId) {
        return tenants.find(tenantId).orElseThrow(() -> new OpsException(404, "no tenant '" + tenantId + "'"));
    }

    /** The missing permissions found at the last key check, for the status page. */
    public Optional<List<String>> missingPermissions(String tenantId) {
        Map<String, AttributeValue> item = row(tenantId, KEY_CHECK_SK);
        if (item.isEmpty()) return Optional.empty();
        return Optional.of(item.get("missing").l().stream().map(AttributeValue::s).toList());
    }

    private void saveKeyCheck(String tenantId, KeyPermissions.Report report) {
        Map<String, AttributeValue> item = key(tenantId, KEY_CHECK_SK);
        item.put("checkedAt", AttributeValue.fromS(clock.instant().toString()));
        item.put("missing", AttributeValue.fromL(report.missing().stream().map(m -> AttributeValue.fromS(m.permission())).toList()));
        item.put("unknownScopes", AttributeValue.fromL(report.unknownScopes().stream().map(AttributeValue::fromS).toList()));
        dynamo.putItem(r -> r.tableName(resources.tenantsTable()).item(item));
    }

    private void saveRotation(String tenantId, String phase, Instant at) {
        Map<String, AttributeValue> item = key(tenantId, ROTATION_SK);
        item.put("phase", AttributeValue.fromS(phase));
        item.put("at", AttributeValue.fromS(at.toString()));
        dynamo.putItem(r -> r.tableName(resources.tenantsTable()).item(item));
    }

    private Map<String, AttributeValue> row(String tenantId, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.tenantsTable()).consistentRead(true)
                .key(key(tenantId, sk))).item();
        return item == null ? Map.of() : item;
    }

    private static Map<String, AttributeValue> key(String tenantId, String sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put("pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)));
        key.put("sk", AttributeValue.fromS(sk));
        return key;
    }
}
