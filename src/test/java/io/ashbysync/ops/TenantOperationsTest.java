package io.ashbysync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.application.ReceiptSettings;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.tenant.SsmTenantSecrets;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStatus;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.HttpFunctionServer;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.LambdaInvoker;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.webhook.WebhookRoute;
import io.ashbysync.webhook.WebhookRouteTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/** Onboarding, key checks, rotation, pause, webhook health and offboarding through the admin routes of the `http` function. */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
class TenantOperationsTest {
    static final List<String> ROUTES = List.of(WebhookRoute.ROUTE_KEY, "POST /admin/tenants", "DELETE /admin/tenants/{tenantId}",
            "POST /admin/tenants/{tenantId}/pause", "POST /admin/tenants/{tenantId}/resume", "PUT /admin/tenants/{tenantId}/api-key",
            "POST /admin/tenants/{tenantId}/webhook-secret/rotate", "POST /admin/tenants/{tenantId}/webhooks/check",
            "GET /admin/tenants/{tenantId}/status", "GET /admin/status");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HttpFunctionServer server;

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    ReceiptSettings receiptSettings;
    @Inject
    @jakarta.inject.Named("http")
    io.ashbysync.http.HttpHandler http;

    @BeforeEach
    void startServer() {
        if (server == null) server = HttpFunctionServer.start(ROUTES, HttpFunctionServer.inProcess(http));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
        server = null;
    }

    record Answer(int status, JsonNode body) {}

    static Answer call(String routeKey, String path, Map<String, String> pathParameters, Object body) {
        try {
            byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
            JsonNode response = JSON.readTree(LambdaInvoker.invoke(LambdaEvents.http(routeKey, path, pathParameters, Map.of(),
                    Map.of("content-type", "application/json", "host", "ignored.example"), bytes)));
            return new Answer(response.get("statusCode").asInt(), JSON.readTree(response.path("body").asText("{}")));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Answer onboard(String tenantId, String apiKey) {
        return call("POST /admin/tenants", "/admin/tenants", Map.of(), Map.of("tenantId", tenantId, "apiKey", apiKey,
                "requestsPerMinute", 60_000, "webhookBaseUrl", server.baseUrl().toString()));
    }

    static String newTenantId() {
        return "ops-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String newKey() {
        return "key_" + UUID.randomUUID().toString().replace("-", "");
    }

    @Test
    void onboarding_checksTheKey_storesSecretsInSsmOnly_createsEnabledWebhooks_andActivates() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        SimulatedOrganization org = simulator.createOrganization(apiKey);

        Answer answer = onboard(tenantId, apiKey);

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
        assertThat(answer.body().path("permissions").path("missing")).isEmpty();
        assertThat(answer.body().path("webhooks")).hasSize(TenantWebhooks.TYPES.size());
        answer.body().path("webhooks").forEach(w -> assertThat(w.path("enabled").asBoolean()).as(w.toString()).isTrue());
        // Ashby holds the webhooks, pointed at the tenant's URL; their pings reached the function and verified.
        assertThat(org.webhooks()).hasSize(TenantWebhooks.TYPES.size()).allSatisfy(w -> {
            assertThat(w.path("enabled").asBoolean()).isTrue();
            assertThat(w.path("requestUrl").asText()).isEqualTo(server.baseUrl() + "/webhooks/ashby/" + tenantId);
        });
        assertThat(answer.body().path("manualSteps").toString()).contains("jobCreate").contains("jobUpdate");
        assertThat(tenants.get(tenantId).status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(aws.ssm().getParameter(r -> r.name(SsmTenantSecrets.apiKeyParameter(aws.ssmPrefix(), tenantId)).withDecryption(true))
                .parameter().value()).isEqualTo(apiKey);
        assertThat(everyTableItemMentioning(apiKey)).as("the key is never in a table").isEmpty();
        assertThat(answer.body().toString()).doesNotContain(apiKey);
    }

    @Test
    void onboarding_withAKeyLackingEachPermission_namesTheModuleAndPermissionInPlainWords() {
        for (String lacking : KeyPermissions.needed()) {
            String tenantId = newTenantId();
            String apiKey = newKey();
            Set<String> granted = new HashSet<>(SimulatedOrganization.ALL_PERMISSIONS);
            granted.remove(lacking);
            simulator.createOrganization(apiKey).permissions(granted);

            Answer answer = onboard(tenantId, apiKey);

            assertThat(answer.status()).as(lacking + ": " + answer.body()).isEqualTo(201);
            JsonNode missing = answer.body().path("permissions").path("missing");
            assertThat(missing).as(lacking).hasSize(1);
            assertThat(missing.get(0).path("permission").asText()).isEqualTo(lacking);
            String module = missing.get(0).path("module").asText();
            assertThat(KeyPermissions.MODULES.values()).contains(module);
            assertThat(answer.body().path("manualSteps").toString()).contains("give the key " + module);
            if (lacking.equals("apiKeysWrite")) {
                assertThat(answer.body().path("webhooks")).as("no webhooks without API Keys write").isEmpty();
                assertThat(answer.body().path("manualSteps").toString()).contains("create these webhooks by hand");
            }
            // the status page says it too
            Answer status = call("GET /admin/tenants/{tenantId}/status", "/admin/tenants/" + tenantId + "/status",
                    Map.of("tenantId", tenantId), null);
            assertThat(status.body().path("hints").toString()).contains("missing permission: " + lacking);
        }
    }

    @Test
    void unknownScopes_areShownRaw() {
        KeyPermissions.Report report = KeyPermissions.of(List.of("candidates:read", "widgets:read", "jobs:admin"));
        assertThat(report.unknownScopes()).containsExactly("widgets:read", "jobs:admin");
        assertThat(report.granted()).containsExactly("candidatesRead");
    }

    @Test
    void aRefusedKey_is422_andLeavesNothingBehind() {
        String tenantId = newTenantId();
        Answer answer = onboard(tenantId, "not-a-key-ashby-knows");
        assertThat(answer.status()).isEqualTo(422);
        assertThat(answer.body().path("message").asText()).contains("apiKey").contains("refused");
        assertThat(everyTableItemMentioning(tenantId)).isEmpty();
        assertThat(ssmParameters(tenantId)).isEmpty();
    }

    @Test
    void invalidRequests_nameTheField() {
        Answer noKey = call("POST /admin/tenants", "/admin/tenants", Map.of(), Map.of("tenantId", newTenantId()));
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.body().path("message").asText()).startsWith("apiKey");
        Answer badId = call("POST /admin/tenants", "/admin/tenants", Map.of(), Map.of("tenantId", "a/b", "apiKey", "k"));
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.body().path("message").asText()).startsWith("tenantId");
    }

    @Test
    void pause_keepsTheTenantMirrored_resume_makesItActiveAgain() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        simulator.createOrganization(apiKey);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);

        Answer paused = call("POST /admin/tenants/{tenantId}/pause", "/admin/tenants/" + tenantId + "/pause", Map.of("tenantId", tenantId), null);
        assertThat(paused.body().path("status").asText()).isEqualTo("PAUSED");
        // a read-only kill switch: the poller still reads it (writes are refused: OperationsEndToEndTest)
        assertThat(tenants.listMirrored()).filteredOn(t -> t.tenantId().equals(tenantId)).extracting(TenantConfig::status)
                .containsExactly(TenantStatus.PAUSED);
        // reads go on: the status is still served
        assertThat(call("GET /admin/tenants/{tenantId}/status", "/admin/tenants/" + tenantId + "/status", Map.of("tenantId", tenantId), null)
                .body().path("status").asText()).isEqualTo("PAUSED");

        call("POST /admin/tenants/{tenantId}/resume", "/admin/tenants/" + tenantId + "/resume", Map.of("tenantId", tenantId), null);
        assertThat(tenants.get(tenantId).status()).isEqualTo(TenantStatus.ACTIVE);
    }

    @Test
    void pauseAndResume_changeOnlyTheStatus_theConfigRowsOtherSettingsStay() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        simulator.createOrganization(apiKey);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);
        // settings kept on the config row outside TenantConfig: receipt notes turned off, and one this code does not know
        aws.dynamoDb().updateItem(r -> r.tableName(aws.tableName("TenantsTable")).key(configKey(tenantId))
                .updateExpression("SET receiptNotes = :off, supportContact = :contact")
                .expressionAttributeValues(Map.of(":off", AttributeValue.fromBool(false), ":contact", s("ops@acme.example"))));
        assertThat(receiptSettings.receiptNotes(tenantId)).isFalse();

        Answer paused = call("POST /admin/tenants/{tenantId}/pause", "/admin/tenants/" + tenantId + "/pause", Map.of("tenantId", tenantId), null);
        assertThat(paused.status()).as(paused.body().toString()).isEqualTo(200);
        assertThat(receiptSettings.receiptNotes(tenantId)).as("receipt notes stay off while paused").isFalse();
        Answer resumed = call("POST /admin/tenants/{tenantId}/resume", "/admin/tenants/" + tenantId + "/resume", Map.of("tenantId", tenantId), null);
        assertThat(resumed.status()).as(resumed.body().toString()).isEqualTo(200);
        assertThat(resumed.body().path("requestsPerMinute").asInt()).isEqualTo(60_000);

        assertThat(receiptSettings.receiptNotes(tenantId)).as("receipt notes stay off after the resume").isFalse();
        Map<String, AttributeValue> row = aws.dynamoDb().getItem(r -> r.tableName(aws.tableName("TenantsTable")).key(configKey(tenantId))
                .consistentRead(true)).item();
        assertThat(row).containsEntry("status", s("ACTIVE")).containsEntry("requestsPerMinute", AttributeValue.fromN("60000"))
                .containsEntry("receiptNotes", AttributeValue.fromBool(false)).containsEntry("supportContact", s("ops@acme.example"));
    }

    @Test
    void pausingAnUnknownTenant_is404_andWritesNoRow() {
        String tenantId = newTenantId();

        Answer paused = call("POST /admin/tenants/{tenantId}/pause", "/admin/tenants/" + tenantId + "/pause", Map.of("tenantId", tenantId), null);

        assertThat(paused.status()).isEqualTo(404);
        assertThat(everyTableItemMentioning(tenantId)).isEmpty();
    }

    @Test
    void apiKeyRotation_checksTheNewKeyBeforeStoringIt() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        simulator.createOrganization(apiKey);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);

        Answer refused = call("PUT /admin/tenants/{tenantId}/api-key", "/admin/tenants/" + tenantId + "/api-key",
                Map.of("tenantId", tenantId), Map.of("apiKey", "revoked-key"));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(storedKey(tenantId)).isEqualTo(apiKey);

        String next = newKey();
        simulator.createOrganization(next);
        Answer rotated = call("PUT /admin/tenants/{tenantId}/api-key", "/admin/tenants/" + tenantId + "/api-key",
                Map.of("tenantId", tenantId), Map.of("apiKey", next));
        assertThat(rotated.status()).as(rotated.body().toString()).isEqualTo(200);
        assertThat(rotated.body().path("nextStep").asText()).contains("Revoke the old key");
        assertThat(storedKey(tenantId)).isEqualTo(next);
    }

    @Test
    void webhookSecretRotation_acceptsBothSecretsUntilAshbySignsWithTheNewOne() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        SimulatedOrganization org = simulator.createOrganization(apiKey);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);
        String old = secret(tenantId, false);

        Answer staged = rotate(tenantId);
        assertThat(staged.body().path("phase").asText()).isEqualTo("staged");
        String fresh = secret(tenantId, false);
        assertThat(fresh).isNotEqualTo(old);
        assertThat(secret(tenantId, true)).isEqualTo(old);
        assertThat(signedPingStatus(tenantId, old)).isEqualTo(200);
        assertThat(signedPingStatus(tenantId, fresh)).isEqualTo(200);

        Answer switched = rotate(tenantId);
        assertThat(switched.body().path("phase").asText()).isEqualTo("switched");
        assertThat(org.webhooks()).allSatisfy(w -> assertThat(w.path("enabled").asBoolean()).isTrue());

        Answer finished = rotate(tenantId);
        assertThat(finished.body().path("phase").asText()).isEqualTo("finished");
        assertThat(signedPingStatus(tenantId, old)).isEqualTo(401);
        assertThat(signedPingStatus(tenantId, fresh)).isEqualTo(200);
    }

    @Test
    void webhookHealth_reEnablesAWebhookAshbyDisabled() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        SimulatedOrganization org = simulator.createOrganization(apiKey);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);
        String disabledId = org.webhooks().get(0).path("id").asText();
        org.disableWebhook(disabledId);

        Answer checked = call("POST /admin/tenants/{tenantId}/webhooks/check", "/admin/tenants/" + tenantId + "/webhooks/check",
                Map.of("tenantId", tenantId), null);

        assertThat(checked.status()).isEqualTo(200);
        List<String> outcomes = new ArrayList<>();
        checked.body().forEach(c -> outcomes.add(c.path("webhookId").asText() + "=" + c.path("outcome").asText()));
        assertThat(outcomes).contains(disabledId + "=re-enabled");
        assertThat(org.webhooks()).allSatisfy(w -> assertThat(w.path("enabled").asBoolean()).isTrue());
    }

    @Test
    void offboarding_leavesNothingBehind() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        SimulatedOrganization org = simulator.createOrganization(apiKey);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);
        seedData(tenantId);
        assertThat(everyTableItemMentioning(tenantId)).hasSizeGreaterThan(5);

        Answer gone = call("DELETE /admin/tenants/{tenantId}", "/admin/tenants/" + tenantId, Map.of("tenantId", tenantId), null);

        assertThat(gone.status()).as(gone.body().toString()).isEqualTo(200);
        assertThat(gone.body().path("complete").asBoolean()).isTrue();
        assertThat(everyTableItemMentioning(tenantId)).isEmpty();
        assertThat(ssmParameters(tenantId)).isEmpty();
        assertThat(org.webhooks()).isEmpty();
        try (S3Client s3 = s3()) {
            var versions = s3.listObjectVersions(r -> r.bucket(aws.filesBucket()).prefix("tenants/" + tenantId + "/"));
            assertThat(versions.versions()).isEmpty();
            assertThat(versions.deleteMarkers()).isEmpty();
        }
        assertThat(call("GET /admin/tenants/{tenantId}/status", "/admin/tenants/" + tenantId + "/status", Map.of("tenantId", tenantId), null)
                .status()).isEqualTo(404);
    }

    @Test
    void aTenantWhoseConfigRowIsQuarantined_isRefusedWithTheField_andCanStillBeOffboarded() {
        String tenantId = newTenantId();
        String apiKey = newKey();
        simulator.createOrganization(apiKey);
        assertThat(onboard(tenantId, apiKey).status()).isEqualTo(201);
        aws.dynamoDb().updateItem(r -> r.tableName(aws.tableName("TenantsTable"))
                .key(Map.of("pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)), "sk", AttributeValue.fromS("CONFIG")))
                .updateExpression("SET requestsPerMinute = :zero").expressionAttributeValues(Map.of(":zero", AttributeValue.fromN("0"))));

        Answer paused = call("POST /admin/tenants/{tenantId}/pause", "/admin/tenants/" + tenantId + "/pause", Map.of("tenantId", tenantId), null);
        assertThat(paused.status()).isEqualTo(409);
        assertThat(paused.body().toString()).contains("requestsPerMinute");
        assertThat(aws.dynamoDb().getItem(r -> r.tableName(aws.tableName("TenantsTable"))
                .key(Map.of("pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)), "sk", AttributeValue.fromS("CONFIG"))))
                .item().get("status").s()).as("nothing half-applied").isEqualTo("ACTIVE");

        Answer gone = call("DELETE /admin/tenants/{tenantId}", "/admin/tenants/" + tenantId, Map.of("tenantId", tenantId), null);
        assertThat(gone.status()).as(gone.body().toString()).isEqualTo(200);
        assertThat(everyTableItemMentioning(tenantId)).isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private Answer rotate(String tenantId) {
        Answer answer = call("POST /admin/tenants/{tenantId}/webhook-secret/rotate", "/admin/tenants/" + tenantId + "/webhook-secret/rotate",
                Map.of("tenantId", tenantId), null);
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return answer;
    }

    private static int signedPingStatus(String tenantId, String secret) {
        byte[] ping = "{\"webhookActionId\":\"p1\",\"action\":\"ping\",\"data\":{\"webhookActionType\":\"ping\"}}".getBytes(StandardCharsets.UTF_8);
        String response = LambdaInvoker.invoke(LambdaEvents.httpPost("/webhooks/ashby/" + tenantId, Map.of("tenantId", tenantId),
                Map.of("Ashby-Signature", io.ashbysync.webhook.WebhookSignature.sign(ping, secret)), ping, false));
        try {
            return JSON.readTree(response).get("statusCode").asInt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String storedKey(String tenantId) {
        return aws.ssm().getParameter(r -> r.name(SsmTenantSecrets.apiKeyParameter(aws.ssmPrefix(), tenantId)).withDecryption(true))
                .parameter().value();
    }

    private String secret(String tenantId, boolean previous) {
        String name = previous ? SsmTenantSecrets.previousWebhookSecretParameter(aws.ssmPrefix(), tenantId)
                : SsmTenantSecrets.webhookSecretParameter(aws.ssmPrefix(), tenantId);
        return aws.ssm().getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
    }

    private List<String> ssmParameters(String tenantId) {
        List<String> names = new ArrayList<>();
        aws.ssm().getParametersByPathPaginator(r -> r.path(aws.ssmPrefix() + "/tenants/" + tenantId + "/").recursive(true))
                .forEach(page -> page.parameters().forEach(p -> names.add(p.name())));
        return names;
    }

    /** Rows of every kind the product keeps for a tenant, besides what onboarding wrote. */
    private void seedData(String tenantId) {
        String candidate = UUID.randomUUID().toString();
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#CANDIDATE#" + candidate), "sk", s("ITEM"),
                "tenantType", s("TENANT#" + tenantId + "#CANDIDATE"), "entityId", s(candidate), "data", s("{}")));
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#CANDIDATE#" + candidate), "sk", s("NOTE#n1"), "data", s("{}")));
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#JOB#j1"), "sk", s("ITEM"),
                "tenantType", s("TENANT#" + tenantId + "#JOB"), "entityId", s("j1"), "data", s("{}")));
        put("IdentityTable", Map.of("pk", s("TENANT#" + tenantId), "sk", s("PROFILE#fp-1"), "candidateId", s(candidate)));
        put("IdempotencyTable", Map.of("pk", s(tenantId + "#cmd-1"), "sk", s("RECORD")));
        put("TenantsTable", Map.of("pk", s("TENANT#" + tenantId), "sk", s("CURSOR#candidates")));
        try (S3Client s3 = s3()) {
            String key = "tenants/" + tenantId + "/candidates/" + candidate + "/f1";
            s3.putObject(r -> r.bucket(aws.filesBucket()).key(key), RequestBody.fromString("v1"));
            s3.putObject(r -> r.bucket(aws.filesBucket()).key(key), RequestBody.fromString("v2"));
        }
    }

    private void put(String table, Map<String, AttributeValue> item) {
        aws.dynamoDb().putItem(r -> r.tableName(aws.tableName(table)).item(item));
    }

    private List<Map<String, AttributeValue>> everyTableItemMentioning(String text) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        for (String table : List.of("TenantsTable", "IdentityTable", "IdempotencyTable", "MirrorTable")) {
            aws.dynamoDb().scanPaginator(r -> r.tableName(aws.tableName(table))).items().forEach(item -> {
                if (item.toString().contains(text)) found.add(item);
            });
        }
        return found;
    }

    private S3Client s3() {
        return S3Client.builder().endpointOverride(aws.motoEndpoint()).region(Region.of(LocalAws.REGION)).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(LocalAws.ACCESS_KEY_ID, LocalAws.SECRET_ACCESS_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static Map<String, AttributeValue> configKey(String tenantId) {
        return Map.of("pk", s(TenantStore.partitionKey(tenantId)), "sk", s("CONFIG"));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
