package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * What template.yaml lets each function do, and the retention and alarms around what leaves for Findem: rights as
 * narrow as the code needs (the IAM policies cannot be exercised locally, so they are read here).
 */
class TemplatePoliciesTest {
    private static final JsonNode TEMPLATE = CloudFormationYaml.read(TemplateResources.TEMPLATE);
    private static final List<String> FUNCTIONS = List.of("CommandsFunction", "PollerFunction", "WebhooksFunction", "ApiFunction");
    private static final String BUCKET = "${FilesBucket.Arn}";
    private static final String FILES = BUCKET + "/tenants/*";
    private static final String CLAIMS = BUCKET + "/claims/*";

    @Test
    void everyFunctionIsChecked() {
        List<String> functions = new ArrayList<>();
        TEMPLATE.path("Resources").properties().forEach(r -> {
            if (r.getValue().path("Type").asText().equals("AWS::Serverless::Function")) functions.add(r.getKey());
        });
        assertThat(functions).containsExactlyInAnyOrderElementsOf(FUNCTIONS);
    }

    @Test
    void noFunction_hasAnS3PolicyTemplate_whichGrantsBucketLevelRights() {
        // S3CrudPolicy: ListBucket, GetBucketLocation, Get/PutLifecycleConfiguration, PutObjectAcl, ... on the bucket
        for (String function : FUNCTIONS) {
            assertThat(policyTemplates(function)).as(function).noneMatch(name -> name.startsWith("S3"));
        }
    }

    @Test
    void s3Rights_areOnObjectsUnderTheTenantAndClaimsPrefixes_theBucketItselfOnlyListedByThePurge() {
        for (String function : FUNCTIONS) {
            for (JsonNode statement : statements(function)) {
                List<String> s3Actions = strings(statement.path("Action")).stream().filter(a -> a.startsWith("s3:")).toList();
                if (s3Actions.isEmpty()) continue;
                assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
                assertThat(s3Actions).as(function + ": no wildcard actions").noneMatch(a -> a.contains("*"));
                List<String> resources = arns(statement.path("Resource"));
                if (resources.contains(BUCKET)) {
                    assertThat(function).as("lists the bucket").isEqualTo("ApiFunction");
                    assertThat(resources).containsExactly(BUCKET);
                    assertThat(s3Actions).containsExactly("s3:ListBucketVersions");
                    assertThat(strings(statement.at("/Condition/StringLike/s3:prefix")))
                            .as("listing limited to the tenants' prefixes").containsExactlyInAnyOrder("tenants/*", "claims/*");
                } else {
                    assertThat(resources).as(function + " " + s3Actions).isNotEmpty().isSubsetOf(FILES, CLAIMS);
                }
            }
        }
    }

    @Test
    void eachFunction_hasTheObjectRightsItsCodeUses() {
        for (String function : List.of("CommandsFunction", "PollerFunction")) {
            // FileCopier puts and deletes candidates' files; claim checks are written, read back and presigned
            assertThat(grants(function)).as(function).isEqualTo(Map.of(
                    "s3:PutObject", List.of(FILES, CLAIMS), "s3:DeleteObject", List.of(FILES), "s3:GetObject", List.of(CLAIMS)));
        }
        // TenantPurge: every version and delete marker under both prefixes
        assertThat(grants("ApiFunction")).isEqualTo(Map.of("s3:ListBucketVersions", List.of(BUCKET),
                "s3:DeleteObjectVersion", List.of(FILES, CLAIMS)));
        assertThat(grants("WebhooksFunction")).as("the public route touches no object").isEmpty();
    }

    @Test
    void theWebhookFunction_cannotReachTheIdempotencyTable() {
        // WebhookIntake reads the tenant's row and secret and queues the delivery; WebhookDeliveryWork (commands) de-duplicates
        assertThat(policies("WebhooksFunction").toString()).doesNotContain("IdempotencyTable").doesNotContain("MirrorTable")
                .doesNotContain("IdentityTable");
        assertThat(policyTemplates("WebhooksFunction")).containsExactlyInAnyOrder("DynamoDBReadPolicy", "SQSSendMessagePolicy",
                "SSMParameterReadPolicy");
    }

    @Test
    void theEventsQueue_keepsMessagesAsLongAsSqsAllows_andAlarmsOnItsOldestMessage() {
        assertThat(TemplateResources.load().queue("EventsQueue").messageRetentionSeconds()).contains(14 * 24 * 3600);
        List<JsonNode> ageAlarms = resources("AWS::CloudWatch::Alarm").stream()
                .filter(a -> a.path("MetricName").asText().equals("ApproximateAgeOfOldestMessage"))
                .filter(a -> a.path("Dimensions").toString().contains("{\"Fn::GetAtt\":[\"EventsQueue\",\"QueueName\"]}"))
                .toList();
        assertThat(ageAlarms).singleElement().satisfies(alarm -> {
            assertThat(alarm.path("Namespace").asText()).isEqualTo("AWS/SQS");
            assertThat(alarm.path("Threshold").asInt()).isPositive().isLessThanOrEqualTo(3600);
            assertThat(alarm.path("ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
            assertThat(alarm.path("AlarmActions")).as("the topic the other alarms notify")
                    .isEqualTo(TEMPLATE.at("/Resources/EventsDeadLetterAlarm/Properties/AlarmActions"));
        });
    }

    @Test
    void claimChecks_expireWithTheEventsThatPointAtThem_filesDoNot() {
        int eventsRetentionDays = TemplateResources.load().queue("EventsQueue").messageRetentionSeconds().orElseThrow() / 86_400;
        List<JsonNode> rules = StreamSupport.stream(TEMPLATE.at("/Resources/FilesBucket/Properties/LifecycleConfiguration/Rules")
                .spliterator(), false).toList();
        List<JsonNode> claims = rules.stream().filter(r -> r.path("Prefix").asText().equals("claims/")).toList();
        assertThat(claims).allSatisfy(r -> assertThat(r.path("Status").asText()).isEqualTo("Enabled"));
        assertThat(claims).anySatisfy(r -> {
            assertThat(r.path("ExpirationInDays").asInt()).isEqualTo(eventsRetentionDays);
            assertThat(r.at("/NoncurrentVersionExpiration/NoncurrentDays").asInt()).isEqualTo(1);
        });
        assertThat(claims).anySatisfy(r -> assertThat(r.path("ExpiredObjectDeleteMarker").asBoolean()).isTrue());
        assertThat(rules).filteredOn(r -> !r.path("Prefix").asText().equals("claims/"))
                .as("current versions of candidates' files never expire").allSatisfy(r -> assertThat(r.has("ExpirationInDays")).isFalse());
    }

    @Test
    void findemsOwnReader_isOptional_andMayOnlyGetClaimChecks() {
        assertThat(TEMPLATE.at("/Parameters/FindemReaderArn/Default").asText("unset")).isEmpty();
        List<JsonNode> policies = new ArrayList<>();
        TEMPLATE.path("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::S3::BucketPolicy")) policies.add(r);
        });
        assertThat(policies).singleElement().satisfies(policy -> {
            String condition = policy.path("Condition").asText();
            assertThat(TEMPLATE.path("Conditions").path(condition).toString())
                    .isEqualTo("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"FindemReaderArn\"},\"\"]}]}");
            assertThat(policy.at("/Properties/Bucket").toString()).isEqualTo("{\"Ref\":\"FilesBucket\"}");
            JsonNode statements = policy.at("/Properties/PolicyDocument/Statement");
            assertThat(statements).singleElement().satisfies(statement -> {
                assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
                assertThat(statement.at("/Principal/AWS").toString()).isEqualTo("{\"Ref\":\"FindemReaderArn\"}");
                assertThat(strings(statement.path("Action"))).containsExactly("s3:GetObject");
                assertThat(arns(statement.path("Resource"))).containsExactly(CLAIMS);
            });
        });
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static JsonNode policies(String function) {
        return TEMPLATE.at("/Resources/" + function + "/Properties/Policies");
    }

    /** The SAM policy templates a function uses (DynamoDBCrudPolicy, SQSSendMessagePolicy, ...), not its statements. */
    private static List<String> policyTemplates(String function) {
        List<String> names = new ArrayList<>();
        policies(function).forEach(policy -> policy.fieldNames().forEachRemaining(name -> {
            if (!name.equals("Statement")) names.add(name);
        }));
        return names;
    }

    private static List<JsonNode> statements(String function) {
        List<JsonNode> statements = new ArrayList<>();
        policies(function).forEach(policy -> policy.path("Statement").forEach(statements::add));
        return statements;
    }

    /** S3 action → the resources it is allowed on, over all of the function's statements. */
    private static Map<String, List<String>> grants(String function) {
        Map<String, List<String>> grants = new TreeMap<>();
        for (JsonNode statement : statements(function)) {
            for (String action : strings(statement.path("Action"))) {
                if (!action.startsWith("s3:")) continue;
                grants.computeIfAbsent(action, a -> new ArrayList<>()).addAll(arns(statement.path("Resource")));
            }
        }
        return grants;
    }

    private static List<JsonNode> resources(String type) {
        List<JsonNode> found = new ArrayList<>();
        TEMPLATE.path("Resources").forEach(r -> {
            if (r.path("Type").asText().equals(type)) found.add(r.path("Properties"));
        });
        return found;
    }

    /** A string or a list of strings. */
    private static List<String> strings(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) return List.of();
        if (node.isTextual()) return List.of(node.asText());
        List<String> values = new ArrayList<>();
        node.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** Resources as ARN templates: {@code !Sub} text as written, {@code !GetAtt X.Arn} as {@code ${X.Arn}}. */
    private static List<String> arns(JsonNode node) {
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) node.forEach(items::add);
        else if (!node.isMissingNode()) items.add(node);
        return items.stream().map(item -> {
            if (item.isTextual()) return item.asText();
            if (item.has("Fn::Sub")) return item.get("Fn::Sub").asText();
            if (item.has("Fn::GetAtt")) return "${" + item.get("Fn::GetAtt").get(0).asText() + "." + item.get("Fn::GetAtt").get(1).asText() + "}";
            return item.toString();
        }).toList();
    }
}
