package io.ashbysync.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DynamoDB tables and SQS queues declared in {@code template.yaml}: the one description of the deployment that
 * local AWS (moto, ElasticMQ, LocalStack) is built from, so tests run against the keys, TTLs and queue settings
 * that ship.
 *
 * @param tables every {@code AWS::DynamoDB::Table}, in template order
 * @param queues every {@code AWS::SQS::Queue}, in template order
 * @param functionEnvironment the functions' shared environment ({@code Globals.Function.Environment.Variables})
 *     whose values name a stack resource: variable name to the physical-name template or the referenced logical id
 */
public record TemplateResources(List<Table> tables, List<Queue> queues, Map<String, EnvironmentValue> functionEnvironment) {

    /** Maven and the Makefile run from the project root, where the template lives. */
    public static final Path TEMPLATE = Path.of("template.yaml");

    private static final String STACK_NAME = "${AWS::StackName}";

    public static TemplateResources load() {
        if (!Files.isRegularFile(TEMPLATE)) {
            throw new IllegalStateException("no " + TEMPLATE + " in " + Path.of("").toAbsolutePath()
                    + ": run from the project root");
        }
        return from(CloudFormationYaml.read(TEMPLATE));
    }

    public static TemplateResources from(JsonNode template) {
        List<Table> tables = new ArrayList<>();
        List<Queue> queues = new ArrayList<>();
        template.path("Resources").properties().forEach(resource -> {
            String logicalId = resource.getKey();
            JsonNode properties = resource.getValue().path("Properties");
            switch (resource.getValue().path("Type").asText()) {
                case "AWS::DynamoDB::Table" -> tables.add(table(logicalId, properties));
                case "AWS::SQS::Queue" -> queues.add(queue(logicalId, properties));
                default -> { }
            }
        });
        Map<String, EnvironmentValue> environment = new LinkedHashMap<>();
        template.path("Globals").path("Function").path("Environment").path("Variables").properties()
                .forEach(variable -> environmentValue(variable.getValue(), tables, queues)
                        .ifPresent(value -> environment.put(variable.getKey(), value)));
        return new TemplateResources(List.copyOf(tables), List.copyOf(queues), Map.copyOf(environment));
    }

    public Table table(String logicalId) {
        return tables.stream().filter(t -> t.logicalId().equals(logicalId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no table " + logicalId + " in the template"));
    }

    public Queue queue(String logicalId) {
        return queues.stream().filter(q -> q.logicalId().equals(logicalId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no queue " + logicalId + " in the template"));
    }

    /** A table's key attribute and its role ({@code HASH} or {@code RANGE}). */
    public record Key(String attributeName, String keyType) {
    }

    public record GlobalSecondaryIndex(String indexName, List<Key> keySchema, String projectionType) {
    }

    /**
     * @param nameTemplate the {@code TableName} with {@code ${AWS::StackName}} left in place
     * @param attributeTypes attribute name to its type ({@code S}, {@code N}, {@code B}) for keys and index keys
     * @param ttlAttribute the TTL attribute when TTL is enabled
     */
    public record Table(String logicalId, String nameTemplate, String billingMode, List<Key> keySchema,
            Map<String, String> attributeTypes, List<GlobalSecondaryIndex> globalSecondaryIndexes,
            Optional<String> ttlAttribute) {

        public String physicalName(String stackName) {
            return resolveStackName(nameTemplate, stackName);
        }
    }

    /** Messages received {@code maxReceiveCount} times without being deleted move to the dead-letter queue. */
    public record Redrive(String deadLetterQueueLogicalId, int maxReceiveCount) {
    }

    public record Queue(String logicalId, String nameTemplate, boolean fifo, boolean contentBasedDeduplication,
            int visibilityTimeoutSeconds, Optional<Integer> messageRetentionSeconds, Optional<Redrive> redrive) {

        public String physicalName(String stackName) {
            return resolveStackName(nameTemplate, stackName);
        }
    }

    /** An environment value bound to the stack: a table or queue ({@code !Ref}), or a string built from the stack name. */
    public sealed interface EnvironmentValue {
        record TableName(String logicalId) implements EnvironmentValue {
        }

        record QueueUrl(String logicalId) implements EnvironmentValue {
        }

        record StackScopedString(String template) implements EnvironmentValue {
            public String resolve(String stackName) {
                return resolveStackName(template, stackName);
            }
        }
    }

    private static Table table(String logicalId, JsonNode properties) {
        Map<String, String> attributeTypes = new LinkedHashMap<>();
        properties.path("AttributeDefinitions").forEach(definition -> attributeTypes.put(
                text(definition, "AttributeName", logicalId), text(definition, "AttributeType", logicalId)));
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        properties.path("GlobalSecondaryIndexes").forEach(index -> indexes.add(new GlobalSecondaryIndex(
                text(index, "IndexName", logicalId), keys(index.path("KeySchema"), logicalId),
                text(index.path("Projection"), "ProjectionType", logicalId))));
        JsonNode ttl = properties.path("TimeToLiveSpecification");
        Optional<String> ttlAttribute = ttl.path("Enabled").asBoolean(false)
                ? Optional.of(text(ttl, "AttributeName", logicalId))
                : Optional.empty();
        return new Table(logicalId, nameTemplate(properties.path("TableName"), logicalId),
                properties.path("BillingMode").asText("PROVISIONED"), keys(properties.path("KeySchema"), logicalId),
                Map.copyOf(attributeTypes), List.copyOf(indexes), ttlAttribute);
    }

    private static Queue queue(String logicalId, JsonNode properties) {
        JsonNode redrivePolicy = properties.path("RedrivePolicy");
        Optional<Redrive> redrive = redrivePolicy.isMissingNode()
                ? Optional.empty()
                : Optional.of(new Redrive(getAttResource(redrivePolicy.path("deadLetterTargetArn"), "Arn", logicalId),
                        integer(redrivePolicy, "maxReceiveCount", logicalId)));
        Optional<Integer> retention = properties.has("MessageRetentionPeriod")
                ? Optional.of(integer(properties, "MessageRetentionPeriod", logicalId))
                : Optional.empty();
        return new Queue(logicalId, nameTemplate(properties.path("QueueName"), logicalId),
                properties.path("FifoQueue").asBoolean(false),
                properties.path("ContentBasedDeduplication").asBoolean(false),
                properties.has("VisibilityTimeout") ? integer(properties, "VisibilityTimeout", logicalId) : 30,
                retention, redrive);
    }

    private static Optional<EnvironmentValue> environmentValue(JsonNode value, List<Table> tables, List<Queue> queues) {
        if (value.has("Ref")) {
            String target = value.get("Ref").asText();
            if (tables.stream().anyMatch(t -> t.logicalId().equals(target))) {
                return Optional.of(new EnvironmentValue.TableName(target));
            }
            if (queues.stream().anyMatch(q -> q.logicalId().equals(target))) {
                return Optional.of(new EnvironmentValue.QueueUrl(target));
            }
        }
        if (value.path("Fn::Sub").isTextual() && value.get("Fn::Sub").asText().contains(STACK_NAME)) {
            return Optional.of(new EnvironmentValue.StackScopedString(value.get("Fn::Sub").asText()));
        }
        // Parameters (set at deploy time) and literals are not the stack's resources.
        return Optional.empty();
    }

    private static List<Key> keys(JsonNode keySchema, String logicalId) {
        List<Key> keys = new ArrayList<>();
        keySchema.forEach(key -> keys.add(new Key(text(key, "AttributeName", logicalId), text(key, "KeyType", logicalId))));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(logicalId + ": no KeySchema");
        }
        return List.copyOf(keys);
    }

    /** Physical names must be {@code !Sub} strings over the stack name, so every stack (and test run) gets its own. */
    private static String nameTemplate(JsonNode name, String logicalId) {
        JsonNode sub = name.path("Fn::Sub");
        if (!sub.isTextual() || !sub.asText().contains(STACK_NAME)) {
            throw new IllegalArgumentException(logicalId + ": its name must be !Sub '" + STACK_NAME + "-...', got " + name);
        }
        return sub.asText();
    }

    private static String getAttResource(JsonNode getAtt, String attribute, String logicalId) {
        JsonNode arguments = getAtt.path("Fn::GetAtt");
        if (arguments.size() != 2 || !arguments.get(1).asText().equals(attribute)) {
            throw new IllegalArgumentException(logicalId + ": expected !GetAtt <Resource>." + attribute + ", got " + getAtt);
        }
        return arguments.get(0).asText();
    }

    private static String text(JsonNode node, String field, String logicalId) {
        JsonNode value = node.path(field);
        if (!value.isValueNode()) {
            throw new IllegalArgumentException(logicalId + ": " + field + " must be a literal, got " + value);
        }
        return value.asText();
    }

    private static int integer(JsonNode node, String field, String logicalId) {
        JsonNode value = node.path(field);
        if (!value.isValueNode() || !value.asText().matches("\\d+")) {
            throw new IllegalArgumentException(logicalId + ": " + field + " must be a literal integer, got " + value);
        }
        return Integer.parseInt(value.asText());
    }

    private static String resolveStackName(String template, String stackName) {
        String resolved = template.replace(STACK_NAME, stackName);
        if (resolved.contains("${")) {
            throw new IllegalArgumentException("only " + STACK_NAME + " can be resolved locally: " + template);
        }
        return resolved;
    }
}
