package io.ashbysync.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStatus;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.ContractSchemas;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.model.Message;

/** What the poller's tests share: a seeded tenant polled alone, the files bucket, and the tenant's events. */
final class PolledTenants {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PolledTenants() {}

    static void ensureBucket(S3Client s3, String bucket) {
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) s3.createBucket(r -> r.bucket(bucket));
    }

    /**
     * A tenant registered with a seeded organization; the pass visits every mirrored tenant, so earlier tests' tenants
     * are disabled and faults and counts stay this one's.
     */
    static TestTenant seeded(LocalAws aws, AshbySimulator simulator, TenantStore tenants, int candidates, int jobs, int users) {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 600_000);
        SeededTenantGenerator.seed(candidates).candidates(candidates).jobs(jobs).users(users).generate(tenant.organization());
        tenants.listMirrored().stream().filter(t -> !t.tenantId().equals(tenant.tenantId()))
                .forEach(t -> tenants.save(new TenantConfig(t.tenantId(), TenantStatus.DISABLED, t.requestsPerMinute())));
        return tenant;
    }

    /**
     * Every outbound event for the tenant so far, taken off the queue (as sent: claim-checked ones keep their
     * {@code dataRef}); each must fit an SQS message and match docs/schemas/event.schema.json.
     */
    static List<JsonNode> events(LocalAws aws, TestTenant tenant) throws Exception {
        String queue = aws.queueUrl("EventsQueue");
        List<JsonNode> events = new ArrayList<>();
        while (true) {
            List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .visibilityTimeout(300)).messages();
            if (messages.isEmpty()) return events;
            for (Message message : messages) {
                JsonNode event = JSON.readTree(message.body());
                if (event.path("tenantId").asText().equals(tenant.tenantId())) {
                    // ElasticMQ takes larger messages; SQS refuses them
                    assertThat(message.body().getBytes(StandardCharsets.UTF_8).length).as("an SQS message").isLessThanOrEqualTo(262_144);
                    assertThat(ContractSchemas.problems("event.schema.json", message.body())).as("schema of " + message.body()).isEmpty();
                    events.add(event);
                }
                aws.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(message.receiptHandle()));
            }
        }
    }
}
