package io.ashbysync.testing;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Local AWS for tests: moto_server (DynamoDB, SSM, S3) as a process and ElasticMQ (SQS) embedded, with every table
 * and queue of {@code template.yaml} created under one stack name.
 *
 * <pre>{@code
 * try (LocalAws aws = LocalAws.start()) {
 *     aws.dynamoDb().putItem(b -> b.tableName(aws.tableName("TenantsTable")).item(...));
 *     Map<String, String> config = aws.quarkusConfig();   // ashby-sync.aws.*, endpoint overrides, credentials
 * }
 * }</pre>
 */
public final class LocalAws implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY_ID = "test";
    public static final String SECRET_ACCESS_KEY = "test";

    /** The Quarkiverse extensions configured to talk to moto. */
    private static final List<String> MOTO_SERVICES = List.of("dynamodb", "ssm", "s3");

    private final MotoServer moto;
    private final SQSRestServer elasticMq;
    private final URI sqsEndpoint;
    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final SsmClient ssm;
    private final TemplateResources template;
    private final ResourceProvisioner.Provisioned resources;

    private LocalAws(MotoServer moto, SQSRestServer elasticMq, URI sqsEndpoint, TemplateResources template, String stackName) {
        this.moto = moto;
        this.elasticMq = elasticMq;
        this.sqsEndpoint = sqsEndpoint;
        this.template = template;
        this.dynamoDb = DynamoDbClient.builder().endpointOverride(moto.endpoint()).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        this.sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        this.ssm = SsmClient.builder().endpointOverride(moto.endpoint()).region(Region.of(REGION))
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
        this.resources = new ResourceProvisioner(dynamoDb, sqs).provision(template, stackName);
        try (S3Client s3 = S3Client.builder().endpointOverride(moto.endpoint()).region(Region.of(REGION))
                .credentialsProvider(credentials()).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build()) {
            s3.createBucket(r -> r.bucket(filesBucket()));
        }
    }

    /** The template's FilesBucket (stored resumes and attachments), named after the stack. */
    public String filesBucket() {
        return resources.stackName() + "-files";
    }

    /** Starts both servers and creates the template's resources under a fresh stack name. */
    public static LocalAws start() {
        return start("ashby-sync-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public static LocalAws start(String stackName) {
        TemplateResources template = TemplateResources.load();
        MotoServer moto = MotoServer.start();
        SQSRestServer elasticMq = null;
        try {
            int sqsPort = MotoServer.freeLocalPort();
            // The server address is what ElasticMQ puts in queue URLs; it must be the port it listens on.
            elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1")
                    .withPort(sqsPort)
                    .withServerAddress(new NodeAddress("http", "127.0.0.1", sqsPort, ""))
                    .withAWSRegion(REGION)
                    .start();
            elasticMq.waitUntilStarted();
            return new LocalAws(moto, elasticMq, URI.create("http://127.0.0.1:" + sqsPort), template, stackName);
        } catch (RuntimeException e) {
            if (elasticMq != null) {
                elasticMq.stopAndWait();
            }
            moto.close();
            throw e;
        }
    }

    public String stackName() {
        return resources.stackName();
    }

    public String tableName(String logicalId) {
        return resources.tableName(logicalId);
    }

    public String queueUrl(String logicalId) {
        return resources.queueUrl(logicalId);
    }

    /** Where tenant secrets live: {@code <prefix>/tenants/<tenantId>/ashby-api-key}. */
    public String ssmPrefix() {
        return quarkusConfig().get("ashby-sync.aws.ssm-prefix");
    }

    public URI motoEndpoint() {
        return moto.endpoint();
    }

    public long motoPid() {
        return moto.pid();
    }

    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    public SqsClient sqs() {
        return sqs;
    }

    public SsmClient ssm() {
        return ssm;
    }

    /** The physical names of this stack's tables and queues, by logical id. */
    public ResourceProvisioner.Provisioned resources() {
        return resources;
    }

    public TemplateResources template() {
        return template;
    }

    /**
     * Everything the application needs to run against this local AWS: the stack's names (the template's function
     * environment, {@code TENANTS_TABLE} as {@code ashby-sync.aws.tenants-table}), endpoint overrides, region and
     * static credentials, dev services off.
     */
    public Map<String, String> quarkusConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        template.functionEnvironment().forEach((variable, value) -> config.put(configKey(variable), switch (value) {
            case TemplateResources.EnvironmentValue.TableName table -> tableName(table.logicalId());
            case TemplateResources.EnvironmentValue.QueueUrl queue -> queueUrl(queue.logicalId());
            case TemplateResources.EnvironmentValue.StackScopedString string -> string.resolve(stackName());
        }));
        for (String service : MOTO_SERVICES) {
            config.put("quarkus." + service + ".endpoint-override", moto.endpoint().toString());
            putRegionAndCredentials(config, service);
        }
        config.put("quarkus.s3.path-style-access", "true");
        config.put("ashby-sync.poller.files-bucket", filesBucket());
        // The HTTP function's own variables (template: WebhooksFunction), for the dead-letter admin routes.
        config.put("ashby-sync.ops.commands-dead-letter-queue-url", queueUrl("CommandsDeadLetterQueue"));
        config.put("ashby-sync.ops.work-dead-letter-queue-url", queueUrl("WorkDeadLetterQueue"));
        config.put("ashby-sync.ops.events-dead-letter-queue-url", queueUrl("EventsDeadLetterQueue"));
        config.put("quarkus.sqs.endpoint-override", sqsEndpoint.toString());
        putRegionAndCredentials(config, "sqs");
        config.put("quarkus.devservices.enabled", "false");
        return config;
    }

    /** The application maps each environment variable to its key: TENANTS_TABLE is ashby-sync.aws.tenants-table. */
    static String configKey(String environmentVariable) {
        return "ashby-sync.aws." + environmentVariable.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void putRegionAndCredentials(Map<String, String> config, String service) {
        String prefix = "quarkus." + service + ".aws.";
        config.put(prefix + "region", REGION);
        config.put(prefix + "credentials.type", "static");
        config.put(prefix + "credentials.static-provider.access-key-id", ACCESS_KEY_ID);
        config.put(prefix + "credentials.static-provider.secret-access-key", SECRET_ACCESS_KEY);
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY));
    }

    @Override
    public void close() {
        dynamoDb.close();
        sqs.close();
        ssm.close();
        try {
            elasticMq.stopAndWait();
        } finally {
            moto.close();
        }
    }
}
