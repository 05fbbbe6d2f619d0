package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Checks that what a local AWS actually holds matches the template, whichever emulator provisioned it. Message
 * retention is not compared: ElasticMQ neither keeps nor reports it per queue.
 */
final class ProvisionedResourcesAssertions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProvisionedResourcesAssertions() {
    }

    static void assertTablesMatchTemplate(DynamoDbClient dynamoDb, TemplateResources template, ResourceProvisioner.Provisioned provisioned) {
        for (TemplateResources.Table table : template.tables()) {
            String name = provisioned.tableName(table.logicalId());
            TableDescription description = dynamoDb.describeTable(b -> b.tableName(name)).table();

            assertThat(name).isEqualTo(table.physicalName(provisioned.stackName()));
            assertThat(description.keySchema()).as(table.logicalId())
                    .extracting(KeySchemaElement::attributeName, KeySchemaElement::keyTypeAsString)
                    .containsExactlyElementsOf(table.keySchema().stream().map(k -> tuple(k.attributeName(), k.keyType())).toList());
            assertThat(description.attributeDefinitions()).as(table.logicalId())
                    .extracting(AttributeDefinition::attributeName, AttributeDefinition::attributeTypeAsString)
                    .containsExactlyInAnyOrderElementsOf(table.attributeTypes().entrySet().stream()
                            .map(a -> tuple(a.getKey(), a.getValue())).toList());
            assertThat(description.billingModeSummary().billingMode()).isEqualTo(BillingMode.fromValue(table.billingMode()));

            TimeToLiveDescription ttl = dynamoDb.describeTimeToLive(b -> b.tableName(name)).timeToLiveDescription();
            if (table.ttlAttribute().isPresent()) {
                assertThat(ttl.timeToLiveStatus()).as(table.logicalId()).isEqualTo(TimeToLiveStatus.ENABLED);
                assertThat(ttl.attributeName()).isEqualTo(table.ttlAttribute().get());
            } else {
                assertThat(ttl.timeToLiveStatus()).as(table.logicalId()).isEqualTo(TimeToLiveStatus.DISABLED);
            }
        }
    }

    static void assertQueuesMatchTemplate(SqsClient sqs, TemplateResources template, ResourceProvisioner.Provisioned provisioned) {
        for (TemplateResources.Queue queue : template.queues()) {
            String url = provisioned.queueUrl(queue.logicalId());
            Map<String, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNamesWithStrings("All"))
                    .attributesAsStrings();

            assertThat(url).endsWith("/" + queue.physicalName(provisioned.stackName()));
            assertThat(attributes.getOrDefault("FifoQueue", "false")).as(queue.logicalId()).isEqualTo(Boolean.toString(queue.fifo()));
            if (queue.fifo()) {
                assertThat(attributes.get("ContentBasedDeduplication")).isEqualTo(Boolean.toString(queue.contentBasedDeduplication()));
            }
            assertThat(attributes.get("VisibilityTimeout")).as(queue.logicalId())
                    .isEqualTo(Integer.toString(queue.visibilityTimeoutSeconds()));
            if (queue.redrive().isPresent()) {
                JsonNode redrive = json(attributes.get("RedrivePolicy"));
                String deadLetterUrl = provisioned.queueUrl(queue.redrive().get().deadLetterQueueLogicalId());
                String deadLetterArn = sqs.getQueueAttributes(b -> b.queueUrl(deadLetterUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                        .attributes().get(QueueAttributeName.QUEUE_ARN);
                assertThat(redrive.get("deadLetterTargetArn").asText()).as(queue.logicalId()).isEqualTo(deadLetterArn);
                assertThat(redrive.get("maxReceiveCount").asInt()).isEqualTo(queue.redrive().get().maxReceiveCount());
            } else {
                assertThat(attributes).as(queue.logicalId()).doesNotContainKey("RedrivePolicy");
            }
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
