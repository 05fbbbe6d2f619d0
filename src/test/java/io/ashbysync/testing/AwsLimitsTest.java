package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** The product's own AWS clients meet DynamoDB's and SQS's limits in the tests, as on AWS (moto and ElasticMQ have none). */
@QuarkusTest
class AwsLimitsTest {
    @InjectLocalAws
    LocalAws aws;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    SqsClient sqs;

    @Test
    void anItemOver400KB_isRefusedAsDynamoDbRefusesIt_andOneUnderItIsWritten() {
        String table = aws.tableName("IdempotencyTable");
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("limits#big"), "sk", AttributeValue.fromS("RECORD"));

        assertThatThrownBy(() -> dynamo.putItem(r -> r.tableName(table).item(with(key, "x".repeat(410_000)))))
                .isInstanceOf(DynamoDbException.class)
                .satisfies(e -> assertThat(((DynamoDbException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
        dynamo.putItem(r -> r.tableName(table).item(with(key, "x".repeat(390_000))));
    }

    @Test
    void aMessageOver256KiB_isRefusedAsSqsRefusesIt() {
        String queue = aws.queueUrl("EventsQueue");

        assertThatThrownBy(() -> sqs.sendMessage(r -> r.queueUrl(queue).messageBody("x".repeat(262_145))))
                .isInstanceOf(SqsException.class)
                .satisfies(e -> assertThat(((SqsException) e).awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue"));
    }

    private static Map<String, AttributeValue> with(Map<String, AttributeValue> key, String data) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(key);
        item.put("data", AttributeValue.fromS(data));
        return item;
    }
}
