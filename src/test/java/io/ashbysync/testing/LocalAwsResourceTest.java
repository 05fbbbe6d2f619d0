package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The application's own AWS clients, configured only by {@link LocalAwsResource}, reach the local stack. */
@QuarkusTest
class LocalAwsResourceTest {

    @InjectLocalAws
    LocalAws aws;

    @Inject
    DynamoDbClient dynamoDb;

    @Inject
    SqsClient sqs;

    @Inject
    SsmClient ssm;

    @ConfigProperty(name = "ashby-sync.aws.mirror-table")
    String mirrorTable;

    @ConfigProperty(name = "ashby-sync.aws.commands-queue-url")
    String commandsQueueUrl;

    @ConfigProperty(name = "ashby-sync.aws.ssm-prefix")
    String ssmPrefix;

    @Test
    void applicationClients_reachTheTemplatesTablesQueuesAndParameters() {
        String parameter = ssmPrefix + "/tenants/tenant-1/webhook-secret";
        aws.ssm().putParameter(b -> b.name(parameter).type(ParameterType.SECURE_STRING).value("whsec"));

        assertThat(dynamoDb.describeTable(b -> b.tableName(mirrorTable)).table().tableName())
                .isEqualTo(aws.tableName("MirrorTable"));
        assertThat(sqs.getQueueAttributes(b -> b.queueUrl(commandsQueueUrl).attributeNames(QueueAttributeName.FIFO_QUEUE))
                .attributes()).containsEntry(QueueAttributeName.FIFO_QUEUE, "true");
        assertThat(ssm.getParameter(b -> b.name(parameter).withDecryption(true)).parameter().value()).isEqualTo("whsec");
    }
}
