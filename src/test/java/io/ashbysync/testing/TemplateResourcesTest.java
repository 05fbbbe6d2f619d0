package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ashbysync.testing.TemplateResources.EnvironmentValue;
import io.ashbysync.testing.TemplateResources.Key;
import io.ashbysync.testing.TemplateResources.Redrive;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TemplateResourcesTest {

    private final TemplateResources template = TemplateResources.load();

    @Test
    void everyTable_hasStringPkAndSk_onDemand() {
        assertThat(template.tables()).extracting(TemplateResources.Table::logicalId)
                .containsExactly("TenantsTable", "IdentityTable", "IdempotencyTable", "MirrorTable");
        assertThat(template.tables()).allSatisfy(table -> {
            assertThat(table.keySchema()).containsExactly(new Key("pk", "HASH"), new Key("sk", "RANGE"));
            assertThat(table.attributeTypes()).containsAllEntriesOf(Map.of("pk", "S", "sk", "S"));
            assertThat(table.billingMode()).isEqualTo("PAY_PER_REQUEST");
        });
        assertThat(template.tables()).filteredOn(t -> !t.logicalId().equals("MirrorTable"))
                .allSatisfy(table -> assertThat(table.globalSecondaryIndexes()).isEmpty());
    }

    @Test
    void mirrorTable_indexesRecordsByTenantAndType_forThePollersReconciliation_andUnsentChanges_forItsSweep() {
        TemplateResources.Table mirror = template.table("MirrorTable");
        assertThat(mirror.attributeTypes()).isEqualTo(Map.of("pk", "S", "sk", "S", "tenantType", "S", "unsentShard", "S", "unsentAt", "N"));
        assertThat(mirror.globalSecondaryIndexes()).containsExactly(
                new TemplateResources.GlobalSecondaryIndex("ByTenantType", java.util.List.of(new Key("tenantType", "HASH"), new Key("pk", "RANGE")), "ALL"),
                new TemplateResources.GlobalSecondaryIndex("Unsent", java.util.List.of(new Key("unsentShard", "HASH"), new Key("unsentAt", "RANGE")),
                        "KEYS_ONLY"));
    }

    @Test
    void ttl_isExpiresAt_exceptOnTheIdentityTable() {
        assertThat(template.table("TenantsTable").ttlAttribute()).contains("expiresAt");
        assertThat(template.table("IdempotencyTable").ttlAttribute()).contains("expiresAt");
        assertThat(template.table("MirrorTable").ttlAttribute()).contains("expiresAt");
        assertThat(template.table("IdentityTable").ttlAttribute()).isEmpty();
    }

    @Test
    void physicalNames_deriveFromTheStackName() {
        assertThat(template.table("TenantsTable").physicalName("prod")).isEqualTo("prod-tenants");
        assertThat(template.queue("CommandsQueue").physicalName("prod")).isEqualTo("prod-commands.fifo");
        assertThat(template.queue("CommandsDeadLetterQueue").physicalName("prod")).isEqualTo("prod-commands-dlq.fifo");
    }

    @Test
    void commandsQueue_isFifo_deduplicatedByCommandId_withFifoDeadLetterQueue() {
        TemplateResources.Queue commands = template.queue("CommandsQueue");

        assertThat(commands.fifo()).isTrue();
        assertThat(commands.contentBasedDeduplication()).isFalse();
        assertThat(commands.redrive()).contains(new Redrive("CommandsDeadLetterQueue", 5));
        assertThat(template.queue("CommandsDeadLetterQueue").fifo()).isTrue();
    }

    @Test
    void everyQueue_hasADeadLetterQueue_keepingMessagesFourteenDays() {
        List<String> sources = List.of("CommandsQueue", "WorkQueue", "EventsQueue");
        assertThat(template.queues()).hasSize(6);
        for (String source : sources) {
            Redrive redrive = template.queue(source).redrive().orElseThrow();
            assertThat(redrive.maxReceiveCount()).isEqualTo(5);
            TemplateResources.Queue deadLetters = template.queue(redrive.deadLetterQueueLogicalId());
            assertThat(deadLetters.redrive()).isEmpty();
            assertThat(deadLetters.messageRetentionSeconds()).contains(14 * 24 * 3600);
            assertThat(deadLetters.fifo()).isEqualTo(template.queue(source).fifo());
        }
    }

    @Test
    void queuesConsumedByTheCommandsFunction_hideMessagesForSixFunctionTimeouts() {
        int commandsTimeoutSeconds = CloudFormationYaml.read(TemplateResources.TEMPLATE)
                .at("/Resources/CommandsFunction/Properties/Timeout").asInt();

        assertThat(template.queue("CommandsQueue").visibilityTimeoutSeconds()).isGreaterThanOrEqualTo(6 * commandsTimeoutSeconds);
        assertThat(template.queue("WorkQueue").visibilityTimeoutSeconds()).isGreaterThanOrEqualTo(6 * commandsTimeoutSeconds);
    }

    @Test
    void functionEnvironment_namesEveryTableAndQueueAndTheSsmPrefix() {
        assertThat(template.functionEnvironment()).isEqualTo(Map.of(
                "TENANTS_TABLE", new EnvironmentValue.TableName("TenantsTable"),
                "IDENTITY_TABLE", new EnvironmentValue.TableName("IdentityTable"),
                "IDEMPOTENCY_TABLE", new EnvironmentValue.TableName("IdempotencyTable"),
                "MIRROR_TABLE", new EnvironmentValue.TableName("MirrorTable"),
                "COMMANDS_QUEUE_URL", new EnvironmentValue.QueueUrl("CommandsQueue"),
                "WORK_QUEUE_URL", new EnvironmentValue.QueueUrl("WorkQueue"),
                "EVENTS_QUEUE_URL", new EnvironmentValue.QueueUrl("EventsQueue"),
                "SSM_PREFIX", new EnvironmentValue.StackScopedString("/${AWS::StackName}")));
    }

    @Test
    void aNameNotBuiltFromTheStackName_isRejected() {
        String yaml = """
                Resources:
                  FixedQueue:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: fixed
                """;

        assertThatThrownBy(() -> TemplateResources.from(CloudFormationYaml.read(yaml)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("FixedQueue: its name must be !Sub '${AWS::StackName}-...'");
    }

    @Test
    void queueWithoutRedrive_andTableWithoutTtl_parseAsAbsent() {
        String yaml = """
                Resources:
                  Plain:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: !Sub '${AWS::StackName}-plain'
                """;

        TemplateResources.Queue plain = TemplateResources.from(CloudFormationYaml.read(yaml)).queue("Plain");

        assertThat(plain.redrive()).isEqualTo(Optional.empty());
        assertThat(plain.visibilityTimeoutSeconds()).isEqualTo(30);
    }
}
