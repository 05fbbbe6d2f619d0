package io.ashbysync.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * The search routes' reads of the mirror table, every one counted into a {@link ReadCost}. All are eventually
 * consistent (half the price): the index is itself written after the mirror, so a strongly consistent read would
 * buy nothing.
 */
@ApplicationScoped
class IndexReader {
    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final ObjectMapper mapper;

    IndexReader(DynamoDbClient dynamo, AwsResources resources, ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.mapper = mapper;
    }

    /** One page of a query; {@code request} is completed with the table and capacity reporting. */
    QueryResponse query(QueryRequest.Builder request, ReadCost cost) {
        QueryResponse response = dynamo.query(request.tableName(table()).consistentRead(false)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
        cost.query(response.items(), false, response.consumedCapacity());
        return response;
    }

    /** Items by key (any number; missing ones left out), in no particular order. */
    List<Map<String, AttributeValue>> getAll(List<Map<String, AttributeValue>> keys, ReadCost cost) {
        return DynamoBatch.getAll(dynamo, table(), keys.stream().distinct().toList(), false, response ->
                cost.gets(response.responses().getOrDefault(table(), List.of()), false, response.consumedCapacity().stream().findFirst().orElse(null)));
    }

    /** Live ITEM rows of mirrored records of one type, by id, as their Ashby data keyed by id. */
    Map<String, JsonNode> records(String tenantId, String entityType, List<String> ids, ReadCost cost) {
        List<Map<String, AttributeValue>> keys = ids.stream()
                .map(id -> Map.of("pk", AttributeValue.fromS(MirrorStore.partitionKey(tenantId, entityType, id)),
                        "sk", AttributeValue.fromS(MirrorStore.ITEM))).toList();
        Map<String, JsonNode> records = new HashMap<>();
        for (Map<String, AttributeValue> item : getAll(keys, cost)) {
            if (item.containsKey("deleted") && Boolean.TRUE.equals(item.get("deleted").bool())) continue;
            records.put(item.get("entityId").s(), json(item.get("data").s()));
        }
        return records;
    }

    JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the mirror table holds invalid JSON", e);
        }
    }

    private String table() {
        return resources.mirrorTable();
    }
}
