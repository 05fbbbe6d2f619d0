package io.ashbysync.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the template's tables and queues under a stack name in any DynamoDB and SQS endpoint (moto, ElasticMQ,
 * LocalStack), and removes them again.
 */
public final class ResourceProvisioner {

    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;

    public ResourceProvisioner(DynamoDbClient dynamoDb, SqsClient sqs) {
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
    }

    /** Physical names of one provisioned stack, keyed by the template's logical ids. */
    public record Provisioned(String stackName, Map<String, String> tableNames, Map<String, String> queueUrls) {

        public String tableName(String logicalId) {
            return require(tableNames, logicalId, "table");
        }

        public String queueUrl(String logicalId) {
            return require(queueUrls, logicalId, "queue");
        }

        private static String require(Map<String, String> names, String logicalId, String kind) {
            String name = names.get(logicalId);
            if (name == null) {
                throw new IllegalArgumentException("no " + kind + " " + logicalId + " in the template; known: " + names.keySet());
            }
            return name;
        }
    }

    public Provisioned provision(TemplateResources template, String stackName) {
        Map<String, String> tableNames = new LinkedHashMap<>();
        for (TemplateResources.Table table : template.tables()) {
            tableNames.put(table.logicalId(), createTable(table, table.physicalName(stackName)));
        }
        return new Provisioned(stackName, Map.copyOf(tableNames), createQueues(template.queues(), stackName));
    }

    public void remove(Provisioned provisioned) {
        provisioned.tableNames().values().forEach(table -> dynamoDb.deleteTable(b -> b.tableName(table)));
        provisioned.queueUrls().values().forEach(url -> sqs.deleteQueue(b -> b.queueUrl(url)));
    }

    private String createTable(TemplateResources.Table table, String name) {
        dynamoDb.createTable(request -> {
            request.tableName(name)
                    .billingMode(BillingMode.fromValue(table.billingMode()))
                    .keySchema(keySchema(table.keySchema()))
                    .attributeDefinitions(table.attributeTypes().entrySet().stream()
                            .map(a -> AttributeDefinition.builder().attributeName(a.getKey()).attributeType(a.getValue()).build())
                            .toList());
            if (!table.globalSecondaryIndexes().isEmpty()) {
                request.globalSecondaryIndexes(table.globalSecondaryIndexes().stream()
                        .map(index -> software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex.builder()
                                .indexName(index.indexName())
                                .keySchema(keySchema(index.keySchema()))
                                .projection(Projection.builder().projectionType(index.projectionType()).build())
                                .build())
                        .toList());
            }
        });
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(name));
        table.ttlAttribute().ifPresent(attribute -> dynamoDb.updateTimeToLive(b -> b.tableName(name)
                .timeToLiveSpecification(ttl -> ttl.attributeName(attribute).enabled(true))));
        return name;
    }

    /** Dead-letter queues first: a redrive policy names its target's ARN, which must exist. */
    private Map<String, String> createQueues(List<TemplateResources.Queue> queues, String stackName) {
        Map<String, String> urls = new LinkedHashMap<>();
        Map<String, String> arns = new HashMap<>();
        List<TemplateResources.Queue> pending = new ArrayList<>(queues);
        while (!pending.isEmpty()) {
            TemplateResources.Queue ready = pending.stream()
                    .filter(q -> q.redrive().map(r -> arns.containsKey(r.deadLetterQueueLogicalId())).orElse(true))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("redrive targets missing or circular among " + pending));
            String url = sqs.createQueue(b -> b.queueName(ready.physicalName(stackName))
                    .attributesWithStrings(queueAttributes(ready, arns))).queueUrl();
            urls.put(ready.logicalId(), url);
            arns.put(ready.logicalId(), sqs.getQueueAttributes(b -> b.queueUrl(url)
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN));
            pending.remove(ready);
        }
        return Map.copyOf(urls);
    }

    private static Map<String, String> queueAttributes(TemplateResources.Queue queue, Map<String, String> arns) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("VisibilityTimeout", Integer.toString(queue.visibilityTimeoutSeconds()));
        queue.messageRetentionSeconds().ifPresent(s -> attributes.put("MessageRetentionPeriod", Integer.toString(s)));
        if (queue.fifo()) {
            // SQS rejects these attributes on standard queues, even as "false".
            attributes.put("FifoQueue", "true");
            attributes.put("ContentBasedDeduplication", Boolean.toString(queue.contentBasedDeduplication()));
        }
        queue.redrive().ifPresent(redrive -> attributes.put("RedrivePolicy",
                "{\"deadLetterTargetArn\":\"" + arns.get(redrive.deadLetterQueueLogicalId())
                        + "\",\"maxReceiveCount\":\"" + redrive.maxReceiveCount() + "\"}"));
        return attributes;
    }

    private static List<KeySchemaElement> keySchema(List<TemplateResources.Key> keys) {
        return keys.stream()
                .map(k -> KeySchemaElement.builder().attributeName(k.attributeName()).keyType(k.keyType()).build())
                .toList();
    }
}
