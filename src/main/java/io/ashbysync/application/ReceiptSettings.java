package io.ashbysync.application;

import io.ashbysync.platform.AwsResources;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Whether a tenant wants receipt notes in Ashby: the {@code receiptNotes} boolean on the tenant's config row
 * ({@code pk=TENANT#<id>, sk=CONFIG}); missing means yes. Read here rather than in {@code TenantConfig} so rows written
 * before this setting existed need no migration.
 */
@ApplicationScoped
public class ReceiptSettings {
    public static final String ATTRIBUTE = "receiptNotes";

    private final DynamoDbClient dynamo;
    private final AwsResources resources;

    public ReceiptSettings(DynamoDbClient dynamo, AwsResources resources) {
        this.dynamo = dynamo;
        this.resources = resources;
    }

    public boolean receiptNotes(String tenantId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.tenantsTable())
                .key(Map.of("pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)), "sk", AttributeValue.fromS("CONFIG")))
                .projectionExpression(ATTRIBUTE)).item();
        AttributeValue value = item == null ? null : item.get(ATTRIBUTE);
        return value == null || value.bool() == null || value.bool();
    }
}
