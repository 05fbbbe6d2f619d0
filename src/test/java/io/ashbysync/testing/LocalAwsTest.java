package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;
import software.amazon.awssdk.services.ssm.model.ParameterType;

@ExtendWith(LocalAwsExtension.class)
class LocalAwsTest {

    private final LocalAws aws;

    LocalAwsTest(LocalAws aws) {
        this.aws = aws;
    }

    @Test
    void everyTemplateTable_existsWithTheTemplatesKeysAndTtl() {
        ProvisionedResourcesAssertions.assertTablesMatchTemplate(aws.dynamoDb(), aws.template(), aws.resources());
    }

    @Test
    void everyTemplateQueue_existsWithItsFifoSettingsVisibilityAndRedrive() {
        ProvisionedResourcesAssertions.assertQueuesMatchTemplate(aws.sqs(), aws.template(), aws.resources());
        assertThat(aws.queueUrl("WorkQueue")).startsWith(aws.sqsEndpoint() + "/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CommandsQueue", "WorkQueue", "EventsQueue"})
    void messageReceivedMaxReceiveCountTimes_movesToTheDeadLetterQueue(String logicalId) {
        TemplateResources.Queue queue = aws.template().queue(logicalId);
        TemplateResources.Redrive redrive = queue.redrive().orElseThrow();
        String url = aws.queueUrl(logicalId);
        String body = "poison message for " + logicalId;
        SendMessageRequest.Builder send = SendMessageRequest.builder().queueUrl(url).messageBody(body);
        if (queue.fifo()) {
            send.messageGroupId("tenant-1#candidate-1").messageDeduplicationId("command-" + logicalId);
        }
        aws.sqs().sendMessage(send.build());

        // A zero visibility timeout makes each failed attempt visible again at once, like a handler that keeps failing.
        int receives = 0;
        while (!receive(url).isEmpty()) {
            receives++;
        }
        List<Message> deadLetters = receive(aws.queueUrl(redrive.deadLetterQueueLogicalId()));

        assertThat(receives).isEqualTo(redrive.maxReceiveCount());
        assertThat(deadLetters).extracting(Message::body).containsExactly(body);
    }

    @Test
    void ssmSecureStrings_roundTripUnderTheStackPrefix() {
        String name = aws.ssmPrefix() + "/tenants/tenant-1/ashby-api-key";
        aws.ssm().putParameter(b -> b.name(name).type(ParameterType.SECURE_STRING).value("secret-key"));

        assertThat(aws.ssm().getParameter(b -> b.name(name).withDecryption(true)).parameter().value()).isEqualTo("secret-key");
        assertThat(name).startsWith("/" + aws.stackName() + "/tenants/");
    }

    @Test
    void tablesAcceptTheKeyShapesTheApplicationWrites() {
        String table = aws.tableName("TenantsTable");
        aws.dynamoDb().putItem(b -> b.tableName(table).item(Map.of(
                "pk", AttributeValue.fromS("TENANT#t1"), "sk", AttributeValue.fromS("CONFIG"))));

        assertThat(aws.dynamoDb().getItem(b -> b.tableName(table).key(Map.of(
                "pk", AttributeValue.fromS("TENANT#t1"), "sk", AttributeValue.fromS("CONFIG")))).hasItem()).isTrue();
    }

    @Test
    void quarkusConfig_pointsTheApplicationAtThisStack() {
        Map<String, String> config = aws.quarkusConfig();

        assertThat(config).containsEntry("ashby-sync.aws.tenants-table", aws.tableName("TenantsTable"))
                .containsEntry("ashby-sync.aws.identity-table", aws.tableName("IdentityTable"))
                .containsEntry("ashby-sync.aws.idempotency-table", aws.tableName("IdempotencyTable"))
                .containsEntry("ashby-sync.aws.mirror-table", aws.tableName("MirrorTable"))
                .containsEntry("ashby-sync.aws.commands-queue-url", aws.queueUrl("CommandsQueue"))
                .containsEntry("ashby-sync.aws.work-queue-url", aws.queueUrl("WorkQueue"))
                .containsEntry("ashby-sync.aws.events-queue-url", aws.queueUrl("EventsQueue"))
                .containsEntry("ashby-sync.aws.ssm-prefix", "/" + aws.stackName())
                .containsEntry("quarkus.dynamodb.endpoint-override", aws.motoEndpoint().toString())
                .containsEntry("quarkus.ssm.endpoint-override", aws.motoEndpoint().toString())
                .containsEntry("quarkus.s3.endpoint-override", aws.motoEndpoint().toString())
                .containsEntry("quarkus.sqs.endpoint-override", aws.sqsEndpoint().toString())
                .containsEntry("quarkus.devservices.enabled", "false");
        for (String service : List.of("dynamodb", "sqs", "ssm", "s3")) {
            assertThat(config).containsEntry("quarkus." + service + ".aws.region", "us-east-1")
                    .containsEntry("quarkus." + service + ".aws.credentials.type", "static")
                    .containsEntry("quarkus." + service + ".aws.credentials.static-provider.access-key-id", "test")
                    .containsEntry("quarkus." + service + ".aws.credentials.static-provider.secret-access-key", "test");
        }
    }

    private List<Message> receive(String url) {
        return new ArrayList<>(aws.sqs().receiveMessage(b -> b.queueUrl(url).visibilityTimeout(0).waitTimeSeconds(1)).messages());
    }
}
