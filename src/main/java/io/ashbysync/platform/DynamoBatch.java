package io.ashbysync.platform;

import java.util.ArrayList;
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
        return getAll(dynamo, table, keys, r -> r.consistentRead(consistentRead)
                .projectionExpression(String.join(", ", names.keySet())).expressionAttributeNames(names), response -> {});
    }

    /** {@link #getAll} that also hands each response (with its consumed capacity) to {@code responses}. */
    public static List<Map<String, AttributeValue>> getAll(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
                                                           boolean consistentRead, Consumer<BatchGetItemResponse> responses) {
        return getAll(dynamo, table, keys, r -> r.consistentRead(consistentRead), responses);
    }

    private static List<Map<String, AttributeValue>> getAll(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
                                                            Consumer<KeysAndAttributes.Builder> read, Consumer<BatchGetItemResponse> responses) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += GETS_PER_REQUEST) {
            KeysAndAttributes.Builder batch = KeysAndAttributes.builder().keys(keys.subList(from, Math.min(from + GETS_PER_REQUEST, keys.size())));
            read.accept(batch);
            Map<String, KeysAndAttributes> pending = Map.of(table, batch.build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                waitBeforeRetry(attempt, table);
                Map<String, KeysAndAttributes> request = pending;
                BatchGetItemResponse response = dynamo.batchGetItem(r -> r.requestItems(request).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                found.addAll(response.responses().getOrDefault(table, List.of()));
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
