package io.ashbysync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.HttpFunctionServer;
import io.ashbysync.testing.InProcessCommands;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestLambdaContext;
import io.ashbysync.webhook.WebhookRouteTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * Offboarding deletes every row and object a tenant owns, whatever wrote it, and nothing of another tenant. What is
 * left is found by scanning every table and listing the whole bucket, not by the keys the purge derives.
 */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
class TenantPurgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TABLES = List.of("TenantsTable", "IdentityTable", "IdempotencyTable", "MirrorTable");
    /** Every record type the README's mirror table keys list. */
    private static final List<String> MIRROR_TYPES = List.of("CANDIDATE", "APPLICATION", "JOB", "JOB_POSTING", "USER", "LOCATION",
            "DEPARTMENT", "TAG", "CUSTOM_FIELD", "INTERVIEW_PLAN", "INTERVIEW_STAGE", "ARCHIVE_REASON", "SOURCE", "COMMUNICATION_TEMPLATE");
    private static HttpFunctionServer server;

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    TenantPurge purge;
    @Inject
    S3Client s3;
    @Inject
    @jakarta.inject.Named("http")
    io.ashbysync.http.HttpHandler http;

    @BeforeEach
    void startServer() {
        // versioned, as template.yaml's FilesBucket is (LocalAws creates it without versioning)
        s3.putBucketVersioning(r -> r.bucket(aws.filesBucket()).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        if (server == null) server = HttpFunctionServer.start(TenantOperationsTest.ROUTES, HttpFunctionServer.inProcess(http));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
        server = null;
    }

    @Test
    void offboarding_deletesEveryKindOfRowAndObjectOfTheTenant_andNothingOfAnother() {
        String tenantId = TenantOperationsTest.newTenantId();
        String apiKey = TenantOperationsTest.newKey();
        SimulatedOrganization org = simulator.createOrganization(apiKey);
        SeededTenantGenerator.seed(31).candidates(6).jobs(2).users(3).generate(org);
        TenantOperationsTest.Answer onboarded = TenantOperationsTest.call("POST /admin/tenants", "/admin/tenants", Map.of(),
                Map.of("tenantId", tenantId, "apiKey", apiKey, "requestsPerMinute", 60_000, "webhookBaseUrl", server.baseUrl().toString()));
        assertThat(onboarded.status()).as(onboarded.body().toString()).isEqualTo(201);
        // the first sync (mirror, notes, files, histories, search index, identity, cursors) and a command from Findem
        CommandHarness commands = new CommandHarness(aws, InProcessCommands::invoke);
        commands.drainWork(tenantId);
        ObjectNode export = CommandHarness.command("candidate.export", tenantId, JSON.createObjectNode()
                .put("findemProfileId", "fp-purge-1").put("mode", "prospect"));
        export.with("payload").putObject("candidate").put("name", "Pia Purge").putArray("emails").add("pia.purge@example.com");
        commands.sendValid(export);
        commands.drainCommands();
        assertThat(commands.result(export.get("commandId").asText()).path("status").asText()).isEqualTo("succeeded");
        // what a longer life leaves: claim-checked payloads (one deleted since), a search list every candidate has
        // left, and notes of a candidate whose tombstone has expired
        putObject("claims/" + tenantId + "/results/cmd-1.json", "{\"big\":1}");
        putObject("claims/" + tenantId + "/results/cmd-1.json", "{\"big\":2}");
        s3.deleteObject(r -> r.bucket(aws.filesBucket()).key("claims/" + tenantId + "/results/cmd-1.json"));
        putObject("claims/" + tenantId + "/documents/cand-1.json", "{\"doc\":1}");
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#SEARCH#SOURCE#retired-source"), "sk", s("COUNT"),
                "candidates", AttributeValue.fromN("0")));
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#CANDIDATE#long-gone"), "sk", s("NOTE#n-1"),
                "data", s("{\"content\":\"met at the fair\"}")));
        String other = seedOtherTenant(tenantId + "-b");

        Set<String> kinds = new TreeSet<>();
        rowsOf(tenantId).forEach(row -> kinds.add(row.kind(tenantId)));
        assertThat(kinds).as("the seed holds every kind of row").contains("tenants:CONFIG", "tenants:CURSOR", "tenants:WEBHOOK",
                "identity:EMAIL", "identity:PROFILE", "identity:CANDIDATE", "idempotency:RECORD",
                "mirror:CANDIDATE:ITEM", "mirror:CANDIDATE:NOTE", "mirror:CANDIDATE:FILE", "mirror:CANDIDATE:SEARCH",
                "mirror:APPLICATION:ITEM", "mirror:APPLICATION:HISTORY", "mirror:SEARCH:P", "mirror:SEARCH:COUNT");
        MIRROR_TYPES.forEach(type -> assertThat(kinds).as("mirrored " + type).contains("mirror:" + type + ":ITEM"));
        assertThat(objectsOf(tenantId)).anyMatch(k -> k.startsWith("tenants/" + tenantId + "/"))
                .anyMatch(k -> k.startsWith("claims/" + tenantId + "/"));
        List<String> otherRows = rowsOf(other).stream().map(Object::toString).sorted().toList();
        List<String> otherObjects = objectsOf(other);
        assertThat(otherRows).hasSize(8);
        assertThat(otherObjects).hasSize(3);

        TenantOperationsTest.Answer gone = offboardUntilComplete(tenantId);

        assertThat(gone.body().path("complete").asBoolean()).isTrue();
        assertThat(rowsOf(tenantId)).as("rows of the tenant left in any table").isEmpty();
        List<String> personal = org.candidates().stream().map(c -> c.path("id").asText()).toList();
        assertThat(everyRow(row -> personal.stream().anyMatch(id -> row.toString().contains(id))))
                .as("rows naming the tenant's candidates").isEmpty();
        assertThat(everyRow(row -> row.toString().contains("pia.purge@example.com"))).isEmpty();
        assertThat(objectsOf(tenantId)).as("object versions and delete markers of the tenant").isEmpty();
        assertThat(rowsOf(other).stream().map(Object::toString).sorted().toList()).as("the other tenant's rows").isEqualTo(otherRows);
        assertThat(objectsOf(other)).as("the other tenant's objects").isEqualTo(otherObjects);
    }

    @Test
    void aPurgeOutOfTime_goesOnWhereItLeftOff_untilNothingIsLeft() {
        String tenantId = TenantOperationsTest.newTenantId();
        tenants.save(TenantConfig.active(tenantId));
        for (int c = 0; c < 4; c++) {
            String pk = "TENANT#" + tenantId + "#CANDIDATE#c" + c;
            String posting = "TENANT#" + tenantId + "#SEARCH#ALL";
            put("MirrorTable", Map.of("pk", s(pk), "sk", s("ITEM"), "tenantType", s("TENANT#" + tenantId + "#CANDIDATE"),
                    "entityId", s("c" + c), "data", s("{\"name\":\"Cand " + c + "\"}")));
            put("MirrorTable", Map.of("pk", s(pk), "sk", s("NOTE#n" + c), "data", s("{}")));
            put("MirrorTable", Map.of("pk", s(pk), "sk", s("SEARCH"), "version", AttributeValue.fromN("1"),
                    "postings", s("[\"" + posting + "\\nP#000000000000" + c + "#c" + c + "\"]"), "counted", s("{}")));
            put("MirrorTable", Map.of("pk", s(posting), "sk", s("P#000000000000" + c + "#c" + c), "hit", s("{\"name\":\"Cand " + c + "\"}")));
            put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#LOCATION#l" + c), "sk", s("ITEM"),
                    "tenantType", s("TENANT#" + tenantId + "#LOCATION"), "entityId", s("l" + c), "data", s("{}")));
            put("IdentityTable", Map.of("pk", s("TENANT#" + tenantId), "sk", s("EMAIL#c" + c + "@example.com"), "candidateId", s("c" + c)));
            put("IdempotencyTable", Map.of("pk", s(tenantId + "#cmd-" + c), "sk", s("RECORD")));
            put("TenantsTable", Map.of("pk", s("TENANT#" + tenantId), "sk", s("CURSOR#stream" + c)));
            putObject("tenants/" + tenantId + "/candidates/c" + c + "/f1", "file " + c);
            putObject("claims/" + tenantId + "/results/r" + c + ".json", "{}");
        }
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#SEARCH#STATUS#Active"), "sk", s("COUNT"), "candidates", AttributeValue.fromN("4")));
        String other = seedOtherTenant(tenantId + "-b");
        List<String> otherRows = rowsOf(other).stream().map(Object::toString).sorted().toList();
        List<String> otherObjects = objectsOf(other);

        int calls = 0;
        TenantPurge.Purged purged;
        do {
            // no time at all: each call does one step and says it is not done
            purged = purge.purge(tenantId, Instant.EPOCH);
            calls++;
        } while (!purged.complete() && calls < 500);

        assertThat(purged.complete()).as("complete after %d calls (last: %s; left: %s)", calls, purged.deleted(), rowsOf(tenantId)).isTrue();
        assertThat(calls).isGreaterThan(10);
        assertThat(rowsOf(tenantId)).isEmpty();
        assertThat(objectsOf(tenantId)).isEmpty();
        assertThat(rowsOf(other).stream().map(Object::toString).sorted().toList()).isEqualTo(otherRows);
        assertThat(objectsOf(other)).isEqualTo(otherObjects);
    }

    @Test
    void offboardingNearTheInvocationsEnd_stopsThereAndSays202_thenCompletesOnTheNextCall() {
        String tenantId = TenantOperationsTest.newTenantId();
        tenants.save(TenantConfig.active(tenantId));
        for (int c = 0; c < 3; c++) {
            put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#CANDIDATE#c" + c), "sk", s("ITEM"),
                    "tenantType", s("TENANT#" + tenantId + "#CANDIDATE"), "entityId", s("c" + c), "data", s("{}")));
            putObject("tenants/" + tenantId + "/candidates/c" + c + "/f1", "file " + c);
        }
        APIGatewayV2HTTPEvent offboard = apiEvent(LambdaEvents.http("DELETE /admin/tenants/{tenantId}", "/admin/tenants/" + tenantId,
                Map.of("tenantId", tenantId), Map.of(), Map.of("host", "ignored.example"), new byte[0]));

        // 3 s left, all of them the HTTP function's reserve: the purge's 20 s budget must not run past the invocation
        APIGatewayV2HTTPResponse late = http.handleRequest(offboard, TestLambdaContext.of("api", Duration.ofSeconds(3)));

        assertThat(late.getStatusCode()).as(late.getBody()).isEqualTo(202);
        assertThat(late.getBody()).contains("\"complete\":false");
        assertThat(tenants.find(tenantId)).as("findable until the purge completes").isPresent();
        APIGatewayV2HTTPResponse next = http.handleRequest(offboard, TestLambdaContext.of("api", Duration.ofSeconds(29)));
        assertThat(next.getStatusCode()).as(next.getBody()).isEqualTo(200);
        assertThat(rowsOf(tenantId)).isEmpty();
        assertThat(objectsOf(tenantId)).isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static APIGatewayV2HTTPEvent apiEvent(String json) {
        try {
            return JSON.readValue(json, APIGatewayV2HTTPEvent.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private TenantOperationsTest.Answer offboardUntilComplete(String tenantId) {
        TenantOperationsTest.Answer answer = null;
        for (int call = 0; call < 20; call++) {
            answer = TenantOperationsTest.call("DELETE /admin/tenants/{tenantId}", "/admin/tenants/" + tenantId,
                    Map.of("tenantId", tenantId), null);
            assertThat(answer.status()).as(answer.body().toString()).isIn(200, 202);
            if (answer.status() == 200) return answer;
        }
        return answer;
    }

    /**
     * A tenant whose id begins with the purged one's: a few rows of each table and objects, which must all stay.
     *
     * @return its id
     */
    private String seedOtherTenant(String tenantId) {
        tenants.save(TenantConfig.active(tenantId));
        put("TenantsTable", Map.of("pk", s("TENANT#" + tenantId), "sk", s("CURSOR#candidates"), "syncToken", s("tok")));
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#CANDIDATE#oc1"), "sk", s("ITEM"),
                "tenantType", s("TENANT#" + tenantId + "#CANDIDATE"), "entityId", s("oc1"), "data", s("{\"name\":\"Otto Other\"}")));
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#CANDIDATE#oc1"), "sk", s("NOTE#on1"), "data", s("{}")));
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#LOCATION#ol1"), "sk", s("ITEM"),
                "tenantType", s("TENANT#" + tenantId + "#LOCATION"), "entityId", s("ol1"), "data", s("{}")));
        put("MirrorTable", Map.of("pk", s("TENANT#" + tenantId + "#SEARCH#ALL"), "sk", s("P#0000000000001#oc1"), "hit", s("{}")));
        put("IdentityTable", Map.of("pk", s("TENANT#" + tenantId), "sk", s("EMAIL#otto@example.com"), "candidateId", s("oc1")));
        put("IdempotencyTable", Map.of("pk", s(tenantId + "#cmd-1"), "sk", s("RECORD")));
        putObject("tenants/" + tenantId + "/candidates/oc1/f1", "v1");
        putObject("tenants/" + tenantId + "/candidates/oc1/f1", "v2");
        putObject("claims/" + tenantId + "/results/r1.json", "{}");
        return tenantId;
    }

    /** One item of one table; compared by its text. */
    record Row(String table, Map<String, AttributeValue> item) {
        @Override
        public String toString() {
            return table + " " + item;
        }

        /** What kind of row this is, by table and key shape (for the seed's own check). */
        String kind(String tenantId) {
            String pk = item.get("pk").s();
            String skKind = item.get("sk").s().split("#", 2)[0];
            return switch (table) {
                case "MirrorTable" -> "mirror:" + pk.substring(("TENANT#" + tenantId + "#").length()).split("#", 2)[0] + ":" + skKind;
                case "IdentityTable" -> "identity:" + skKind;
                case "IdempotencyTable" -> "idempotency:" + skKind;
                default -> "tenants:" + skKind;
            };
        }
    }

    /** Every row in every table that mentions the tenant id as a whole id (not as the start of a longer one). */
    private List<Row> rowsOf(String tenantId) {
        Pattern id = mentions(tenantId);
        return everyRow(row -> id.matcher(row.item().toString()).find());
    }

    private List<Row> everyRow(Predicate<Row> matching) {
        List<Row> found = new ArrayList<>();
        for (String table : TABLES) {
            aws.dynamoDb().scanPaginator(r -> r.tableName(aws.tableName(table)).consistentRead(true)).items().forEach(item -> {
                Row row = new Row(table, item);
                if (matching.test(row)) found.add(row);
            });
        }
        return found;
    }

    /** Every object version and delete marker in the bucket whose key mentions the tenant id, as key@version. */
    private List<String> objectsOf(String tenantId) {
        Pattern id = mentions(tenantId);
        List<String> found = new ArrayList<>();
        s3.listObjectVersionsPaginator(r -> r.bucket(aws.filesBucket())).forEach(page -> {
            page.versions().stream().filter(v -> id.matcher(v.key()).find()).forEach(v -> found.add(v.key() + "@" + v.versionId()));
            page.deleteMarkers().stream().filter(m -> id.matcher(m.key()).find()).forEach(m -> found.add(m.key() + "@" + m.versionId() + " (marker)"));
        });
        return found.stream().sorted().toList();
    }

    /** Tenant ids are {@code [A-Za-z0-9_-]}: the id not preceded or followed by one of those. */
    private static Pattern mentions(String tenantId) {
        return Pattern.compile("(?<![A-Za-z0-9_-])" + Pattern.quote(tenantId) + "(?![A-Za-z0-9_-])");
    }

    private void putObject(String key, String content) {
        s3.putObject(r -> r.bucket(aws.filesBucket()).key(key), RequestBody.fromString(content));
    }

    private void put(String table, Map<String, AttributeValue> item) {
        aws.dynamoDb().putItem(r -> r.tableName(aws.tableName(table)).item(item));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
