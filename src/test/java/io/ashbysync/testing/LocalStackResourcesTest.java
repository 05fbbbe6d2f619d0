package io.ashbysync.testing;

import static io.ashbysync.testing.ProvisionedResourcesAssertions.assertQueuesMatchTemplate;
import static io.ashbysync.testing.ProvisionedResourcesAssertions.assertTablesMatchTemplate;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.containers.localstack.LocalStackContainer.Service;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The template's tables and queues, provisioned by the same code as moto/ElasticMQ, in LocalStack: a second opinion on
 * what real AWS accepts. Needs Docker, so it is tagged out of the default build and skipped where no engine runs.
 */
@Tag("docker")
@Testcontainers(disabledWithoutDocker = true)
class LocalStackResourcesTest {

    @Container
    private static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"))
            .withServices(Service.DYNAMODB, Service.SQS);

    @Test
    void templateTablesAndQueues_provisionInLocalStackWithTheirKeysTtlFifoAndRedrive() {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()));
        Region region = Region.of(LOCALSTACK.getRegion());
        try (DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(LOCALSTACK.getEndpoint()).region(region)
                        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(LOCALSTACK.getEndpoint()).region(region)
                        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build()) {
            TemplateResources template = TemplateResources.load();
            ResourceProvisioner provisioner = new ResourceProvisioner(dynamoDb, sqs);

            ResourceProvisioner.Provisioned provisioned = provisioner.provision(template, "ashby-sync-localstack");

            assertTablesMatchTemplate(dynamoDb, template, provisioned);
            assertQueuesMatchTemplate(sqs, template, provisioned);
            provisioner.remove(provisioned);
        }
    }
}
