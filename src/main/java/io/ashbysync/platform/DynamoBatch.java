package io.ashbysync.platform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Batch reads and writes of any size on one table: split into DynamoDB's request limits, with what DynamoDB leaves
 * unprocessed (it does so under throttling) sent again after a growing wait, as it asks, and a clear failure when it
 * keeps doing so.
 */
public final class DynamoBatch {
    public static final int WRITES_PER_REQUEST = 25;
    private static final int GETS_PER_REQUEST = 100;
    private static final int ATTEMPTS = 8;

    private DynamoBatch() {}

    /** Writes every request (puts and deletes; no two on one key). */
    public static void writeAll(DynamoDbClient dynamo, String table, List<WriteRequest> requests) {
        for (int from = 0; from < requests.size(); from += WRITES_PER_REQUEST) {
            Map<String, List<WriteRequest>> pending = Map.of(table, requests.subList(from, Math.min(from + WRITES_PER_REQUEST, requests.size())));
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                waitBeforeRetry(attempt, table);
                Map<String, List<WriteRequest>> request = pending;
                pending = dynamo.batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
            }
        }
    }

    /** The items under these keys that exist (no duplicate keys), in no particular order. */
    public static List<Map<String, AttributeValue>> getAll(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
                                                           boolean consistentRead) {
        return getAll(dynamo, table, keys, consistentRead, response -> {});
    }

    /** {@link #getAll} reading only the named {@code attributes} of each item. */
    public static List<Map<String, AttributeValue>> getAll(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
                                                           boolean consistentRead, List<String> attributes) {
        Map<String, String> names = new LinkedHashMap<>();
        attributes.forEach(name -> names.put("#a" + names.size(), name));
        return getAll(dynamo, Map.of(table, keys), r -> r.consistentRead(consistentRead)
                .projectionExpression(String.join(", ", names.keySet())).expressionAttributeNames(names), response -> {})
                .getOrDefault(table, List.of());
    }

    /** {@link #getAll} that also hands each response (with its consumed capacity) to {@code responses}. */
    public static List<Map<String, AttributeValue>> getAll(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
                                                           boolean consistentRead, Consumer<BatchGetItemResponse> responses) {
        return getAll(dynamo, Map.of(table, keys), r -> r.consistentRead(consistentRead), responses).getOrDefault(table, List.of());
    }

    /** {@link #getAll} from several tables at once (one request for up to 100 keys of any tables), items by table. */
    public static Map<String, List<Map<String, AttributeValue>>> getAll(DynamoDbClient dynamo, Map<String, List<Map<String, AttributeValue>>> keysByTable,
                                                                       boolean consistentRead) {
        return getAll(dynamo, keysByTable, r -> r.consistentRead(consistentRead), response -> {});
    }

    private static Map<String, List<Map<String, AttributeValue>>> getAll(DynamoDbClient dynamo,
                                                                        Map<String, List<Map<String, AttributeValue>>> keysByTable,
                                                                        Consumer<KeysAndAttributes.Builder> read,
                                                                        Consumer<BatchGetItemResponse> responses) {
        List<Map.Entry<String, Map<String, AttributeValue>>> keys = new ArrayList<>();
        keysByTable.forEach((table, tableKeys) -> tableKeys.forEach(key -> keys.add(Map.entry(table, key))));
        Map<String, List<Map<String, AttributeValue>>> found = new HashMap<>();
        for (int from = 0; from < keys.size(); from += GETS_PER_REQUEST) {
            Map<String, List<Map<String, AttributeValue>>> chunk = new LinkedHashMap<>();
            keys.subList(from, Math.min(from + GETS_PER_REQUEST, keys.size()))
                    .forEach(key -> chunk.computeIfAbsent(key.getKey(), t -> new ArrayList<>()).add(key.getValue()));
            Map<String, KeysAndAttributes> first = new HashMap<>();
            chunk.forEach((table, tableKeys) -> {
                KeysAndAttributes.Builder batch = KeysAndAttributes.builder().keys(tableKeys);
                read.accept(batch);
                first.put(table, batch.build());
            });
            Map<String, KeysAndAttributes> pending = first;
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                waitBeforeRetry(attempt, String.join(", ", chunk.keySet()));
                Map<String, KeysAndAttributes> request = pending;
                BatchGetItemResponse response = dynamo.batchGetItem(r -> r.requestItems(request).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                response.responses().forEach((table, items) -> found.computeIfAbsent(table, t -> new ArrayList<>()).addAll(items));
                responses.accept(response);
                pending = response.unprocessedKeys();
            }
        }
        return found;
    }

    private static void waitBeforeRetry(int attempt, String table) {
        if (attempt == 0) return;
        if (attempt == ATTEMPTS) throw new IllegalStateException("DynamoDB kept returning unprocessed items of " + table);
        try {
            Thread.sleep(25L << attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry a batch on " + table, e);
        }
    }
}
