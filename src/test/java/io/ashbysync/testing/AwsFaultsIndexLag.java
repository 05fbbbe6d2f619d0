package io.ashbysync.testing;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Global secondary indexes that lag their table, for {@link AwsFaults.Plan#lagIndexes}: a Query or Scan naming a GSI
 * is answered as the index stood {@code lag} ago by the plan's clock.
 *
 * <p>How: while the lag is on, every write of the product's DynamoDB client (PutItem, UpdateItem, DeleteItem, the
 * Put/Update/Delete actions of TransactWriteItems, BatchWriteItem's puts and deletes) reads, once per call and
 * before it is sent, the item as it is (a consistent GetItem through a client of its own, without interceptors) and
 * keeps that image with the time the write succeeded. An index answer then replaces each item written less than
 * {@code lag} ago by its image from before the oldest such write: the previous version (an update's old
 * {@code seenPass}, say), or nothing for an item created since; an item deleted, or moved out of the index partition,
 * less than {@code lag} ago comes back on the page its position falls in (by the index's sort key, then the table's
 * key), if it matched the query's key condition.
 *
 * <p>Approximations: only writes through the product's clients made while the lag is on are known (a test's own
 * seeding through {@link LocalAws#dynamoDb()} is seen at once); the image is read just before the write, so a
 * concurrent writer of the same item may slip in between; a page may carry more items than its {@code Limit} by the
 * items brought back; a Scan brings them back on its last page (segment 0 of a parallel scan); a
 * {@code ProjectionExpression} on a nested path returns the whole top-level attribute of a brought-back image. Index
 * reads with a {@code FilterExpression}, {@code Select=COUNT} or the legacy {@code AttributesToGet}/{@code KeyConditions}
 * parameters are refused with an {@link IllegalStateException} rather than answered wrong. Local secondary indexes
 * and the table itself are never lagged (eventually consistent table reads are not modelled either).
 */
final class AwsFaultsIndexLag {

    record Endpoint(URI uri, Region region) {}

    /** An item's table key in a canonical form (attribute → typed value), so keys from any source compare equal. */
    record ItemKey(String table, Map<String, String> key) {}

    /** A write the product made: when it succeeded, and the item before it (null: there was none). */
    record Write(Instant at, Map<String, AttributeValue> before) {}

    record Pending(ItemKey key, Map<String, AttributeValue> before) {}

    /** The writes of one call, as read before it was sent; committed when the call succeeds. */
    record Capture(List<Pending> writes) {}

    record IndexSchema(String name, String hash, String range, ProjectionType projection, List<String> nonKey) {}

    record Schema(String table, List<String> tableKeys, Map<String, IndexSchema> indexes) {}

    record Condition(String attribute, String op, List<AttributeValue> values) {}

    /**
     * An index read under way: the request as sent (its projection widened to the keys, to place each item),
     * the attributes the caller asked for (null: the index's projection) and those added, removed again.
     */
    record IndexRead(SdkRequest request, Schema schema, IndexSchema index, List<Condition> keyCondition,
                     Set<String> projected, Set<String> added) {}

    private final Map<Endpoint, DynamoDbClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final Map<ItemKey, List<Write>> writes = new HashMap<>();

    synchronized void clear() {
        writes.clear();
    }

    // ---- writes ---------------------------------------------------------------------------------------------------

    static String table(TransactWriteItem action) {
        if (action.put() != null) return action.put().tableName();
        if (action.update() != null) return action.update().tableName();
        if (action.delete() != null) return action.delete().tableName();
        return action.conditionCheck().tableName();
    }

    /** The items a write request will change, each with its current image; null for anything else. */
    Capture capture(Endpoint endpoint, SdkRequest request) {
        Map<String, List<Map<String, AttributeValue>>> keys = new LinkedHashMap<>();
        switch (request) {
            case PutItemRequest put -> add(keys, put.tableName(), keyOf(put.item(), schema(endpoint, put.tableName()).tableKeys()));
            case UpdateItemRequest update -> add(keys, update.tableName(), update.key());
            case DeleteItemRequest delete -> add(keys, delete.tableName(), delete.key());
            case TransactWriteItemsRequest transaction -> {
                for (TransactWriteItem action : transaction.transactItems()) {
                    if (action.put() != null) {
                        add(keys, action.put().tableName(), keyOf(action.put().item(), schema(endpoint, action.put().tableName()).tableKeys()));
                    } else if (action.update() != null) {
                        add(keys, action.update().tableName(), action.update().key());
                    } else if (action.delete() != null) {
                        add(keys, action.delete().tableName(), action.delete().key());
                    }
                }
            }
            case BatchWriteItemRequest batch -> batch.requestItems().forEach((table, requests) -> {
                for (WriteRequest write : requests) {
                    if (write.putRequest() != null) add(keys, table, keyOf(write.putRequest().item(), schema(endpoint, table).tableKeys()));
                    if (write.deleteRequest() != null) add(keys, table, write.deleteRequest().key());
                }
            });
            default -> {
                return null;
            }
        }
        DynamoDbClient client = client(endpoint);
        List<Pending> pending = new ArrayList<>();
        keys.forEach((table, tableKeys) -> {
            for (Map<String, AttributeValue> key : tableKeys) {
                var item = client.getItem(r -> r.tableName(table).key(key).consistentRead(true));
                pending.add(new Pending(new ItemKey(table, canonical(key)), item.hasItem() && !item.item().isEmpty() ? item.item() : null));
            }
        });
        return new Capture(pending);
    }

    private static void add(Map<String, List<Map<String, AttributeValue>>> keys, String table, Map<String, AttributeValue> key) {
        if (key != null) keys.computeIfAbsent(table, t -> new ArrayList<>()).add(key);
    }

    /** The call succeeded at {@code at}: its writes count from then (a batch's unprocessed items were not written). */
    void commit(Capture capture, SdkResponse response, Instant at) {
        Set<ItemKey> unprocessed = new HashSet<>();
        if (response instanceof BatchWriteItemResponse batch && batch.hasUnprocessedItems()) {
            // the keys of unprocessed puts are found by their whole item: any pending key contained in it
            batch.unprocessedItems().forEach((table, requests) -> requests.forEach(w -> {
                Map<String, AttributeValue> attributes = w.putRequest() != null ? w.putRequest().item() : w.deleteRequest().key();
                for (Pending p : capture.writes()) {
                    if (p.key().table().equals(table) && canonical(attributes).entrySet().containsAll(p.key().key().entrySet())) {
                        unprocessed.add(p.key());
                    }
                }
            }));
        }
        synchronized (this) {
            for (Pending p : capture.writes()) {
                if (!unprocessed.contains(p.key())) writes.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(new Write(at, p.before()));
            }
        }
    }

    /** For each item of {@code table} written after {@code since}: its image from before the first such write (null: absent). */
    private synchronized Map<ItemKey, Map<String, AttributeValue>> lagged(String table, Instant since) {
        Map<ItemKey, Map<String, AttributeValue>> lagged = new HashMap<>();
        writes.forEach((key, history) -> {
            if (!key.table().equals(table)) return;
            for (Write write : history) {
                if (write.at().isAfter(since)) {
                    lagged.put(key, write.before());
                    return;
                }
            }
        });
        return lagged;
    }

    // ---- index reads ----------------------------------------------------------------------------------------------

    /** The read to send instead of {@code request} and what answering it needs; null when not a GSI read. */
    IndexRead prepare(Endpoint endpoint, SdkRequest request) {
        String table;
        String indexName;
        String projection;
        Map<String, String> names;
        String filter;
        Select select;
        boolean legacy;
        String keyCondition = null;
        Map<String, AttributeValue> values;
        switch (request) {
            case QueryRequest q -> {
                table = q.tableName();
                indexName = q.indexName();
                projection = q.projectionExpression();
                names = q.expressionAttributeNames();
                filter = q.filterExpression();
                select = q.select();
                legacy = q.hasAttributesToGet() || q.hasKeyConditions() || q.hasQueryFilter();
                keyCondition = q.keyConditionExpression();
                values = q.expressionAttributeValues();
            }
            case ScanRequest s -> {
                table = s.tableName();
                indexName = s.indexName();
                projection = s.projectionExpression();
                names = s.expressionAttributeNames();
                filter = s.filterExpression();
                select = s.select();
                legacy = s.hasAttributesToGet() || s.hasScanFilter();
                values = s.expressionAttributeValues();
            }
            default -> {
                return null;
            }
        }
        if (indexName == null) return null;
        Schema schema = schema(endpoint, table);
        IndexSchema index = schema.indexes().get(indexName);
        if (index == null) return null;
        if (filter != null || select == Select.COUNT || legacy) {
            throw new IllegalStateException("AwsFaults.lagIndexes does not model an index read with a FilterExpression, "
                    + "Select=COUNT or legacy parameters (" + table + " " + indexName + ")");
        }
        List<Condition> conditions = keyCondition == null ? List.of() : parseKeyCondition(keyCondition, names, values);
        if (projection == null) return new IndexRead(request, schema, index, conditions, null, Set.of());
        Set<String> projected = topLevel(projection, names);
        Set<String> needed = new LinkedHashSet<>(schema.tableKeys());
        needed.add(index.hash());
        if (index.range() != null) needed.add(index.range());
        needed.removeAll(projected);
        if (needed.isEmpty()) return new IndexRead(request, schema, index, conditions, projected, Set.of());
        Map<String, String> widenedNames = new HashMap<>(names);
        StringBuilder widened = new StringBuilder(projection);
        int n = 0;
        for (String attribute : needed) {
            String placeholder = "#awsFaultsKey" + n++;
            widenedNames.put(placeholder, attribute);
            widened.append(", ").append(placeholder);
        }
        SdkRequest sent = switch (request) {
            case QueryRequest q -> q.toBuilder().projectionExpression(widened.toString()).expressionAttributeNames(widenedNames).build();
            case ScanRequest s -> s.toBuilder().projectionExpression(widened.toString()).expressionAttributeNames(widenedNames).build();
            default -> throw new IllegalStateException();
        };
        return new IndexRead(sent, schema, index, conditions, projected, needed);
    }

    QueryResponse answer(IndexRead read, QueryRequest request, QueryResponse response, Instant now, Duration lag) {
        boolean forward = !Boolean.FALSE.equals(request.scanIndexForward());
        Map<String, AttributeValue> from = request.hasExclusiveStartKey() && !request.exclusiveStartKey().isEmpty() ? request.exclusiveStartKey() : null;
        Map<String, AttributeValue> to = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        Page page = page(read, response.items(), now, lag, image -> {
            if (!read.keyCondition().stream().allMatch(c -> holds(c, image))) return false;
            int low = from == null ? 1 : direction(forward) * compare(read, image, from);
            int high = to == null ? -1 : direction(forward) * compare(read, image, to);
            return low > 0 && high <= 0;
        }, forward);
        return response.toBuilder().items(page.items()).count(page.items().size())
                .scannedCount(response.scannedCount() == null ? null : Math.max(0, response.scannedCount() + page.delta())).build();
    }

    ScanResponse answer(IndexRead read, ScanRequest request, ScanResponse response, Instant now, Duration lag) {
        boolean lastPage = !response.hasLastEvaluatedKey() || response.lastEvaluatedKey().isEmpty();
        boolean firstSegment = request.segment() == null || request.segment() == 0;
        Page page = page(read, response.items(), now, lag, image -> lastPage && firstSegment, true);
        return response.toBuilder().items(page.items()).count(page.items().size())
                .scannedCount(response.scannedCount() == null ? null : Math.max(0, response.scannedCount() + page.delta())).build();
    }

    private record Page(List<Map<String, AttributeValue>> items, int delta) {}

    private Page page(IndexRead read, List<Map<String, AttributeValue>> current, Instant now, Duration lag,
                      java.util.function.Predicate<Map<String, AttributeValue>> belongsHere, boolean forward) {
        Schema schema = read.schema();
        Map<ItemKey, Map<String, AttributeValue>> lagged = lagged(schema.table(), now.minus(lag));
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        int delta = 0;
        for (Map<String, AttributeValue> item : current) {
            Map<String, AttributeValue> key = keyOf(item, schema.tableKeys());
            if (key != null && lagged.containsKey(new ItemKey(schema.table(), canonical(key)))) {
                delta--;
            } else {
                items.add(item);
            }
        }
        for (Map<String, AttributeValue> image : lagged.values()) {
            if (image == null || !image.containsKey(read.index().hash())
                    || (read.index().range() != null && !image.containsKey(read.index().range())) || !belongsHere.test(image)) {
                continue;
            }
            Map<String, AttributeValue> projected = project(read, image);
            int at = items.size();
            for (int i = 0; i < items.size(); i++) {
                if (direction(forward) * compare(read, projected, items.get(i)) < 0) {
                    at = i;
                    break;
                }
            }
            items.add(at, projected);
            delta++;
        }
        if (!read.added().isEmpty()) {
            items.replaceAll(item -> {
                Map<String, AttributeValue> stripped = new LinkedHashMap<>(item);
                read.added().forEach(stripped::remove);
                return stripped;
            });
        }
        return new Page(items, delta);
    }

    private static int direction(boolean forward) {
        return forward ? 1 : -1;
    }

    /** An image as the index returns it: the caller's projection, else the index's. */
    private static Map<String, AttributeValue> project(IndexRead read, Map<String, AttributeValue> image) {
        Set<String> keep;
        if (read.projected() != null) {
            keep = new HashSet<>(read.projected());
            keep.addAll(read.added());
        } else if (read.index().projection() == ProjectionType.ALL) {
            return Map.copyOf(image);
        } else {
            keep = new HashSet<>(read.schema().tableKeys());
            keep.add(read.index().hash());
            if (read.index().range() != null) keep.add(read.index().range());
            if (read.index().projection() == ProjectionType.INCLUDE) keep.addAll(read.index().nonKey());
        }
        Map<String, AttributeValue> projected = new LinkedHashMap<>();
        image.forEach((name, value) -> {
            if (keep.contains(name)) projected.put(name, value);
        });
        return projected;
    }

    /** Index order: the index's sort key, then the table's key. */
    private static int compare(IndexRead read, Map<String, AttributeValue> a, Map<String, AttributeValue> b) {
        List<String> order = new ArrayList<>();
        if (read.index().range() != null) order.add(read.index().range());
        order.addAll(read.schema().tableKeys());
        for (String attribute : order) {
            AttributeValue x = a.get(attribute);
            AttributeValue y = b.get(attribute);
            if (x == null || y == null) continue;
            int c = compare(x, y);
            if (c != 0) return c;
        }
        return 0;
    }

    /** DynamoDB's order: strings and binaries by their bytes (unsigned), numbers by value. */
    static int compare(AttributeValue x, AttributeValue y) {
        if (x.s() != null && y.s() != null) {
            return Arrays.compareUnsigned(x.s().getBytes(java.nio.charset.StandardCharsets.UTF_8), y.s().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (x.n() != null && y.n() != null) return new BigDecimal(x.n()).compareTo(new BigDecimal(y.n()));
        if (x.b() != null && y.b() != null) return Arrays.compareUnsigned(x.b().asByteArray(), y.b().asByteArray());
        throw new IllegalStateException("cannot order " + x + " and " + y);
    }

    private static boolean holds(Condition condition, Map<String, AttributeValue> image) {
        AttributeValue value = image.get(condition.attribute());
        if (value == null) return false;
        List<AttributeValue> operands = condition.values();
        if (!sameType(value, operands.getFirst())) return false;
        return switch (condition.op()) {
            case "=" -> compare(value, operands.get(0)) == 0;
            case "<" -> compare(value, operands.get(0)) < 0;
            case "<=" -> compare(value, operands.get(0)) <= 0;
            case ">" -> compare(value, operands.get(0)) > 0;
            case ">=" -> compare(value, operands.get(0)) >= 0;
            case "BETWEEN" -> compare(value, operands.get(0)) >= 0 && compare(value, operands.get(1)) <= 0;
            case "begins_with" -> value.s() != null
                    ? value.s().startsWith(operands.get(0).s())
                    : startsWith(value.b().asByteArray(), operands.get(0).b().asByteArray());
            default -> throw new IllegalStateException(condition.op());
        };
    }

    private static boolean sameType(AttributeValue a, AttributeValue b) {
        return (a.s() != null && b.s() != null) || (a.n() != null && b.n() != null) || (a.b() != null && b.b() != null);
    }

    private static boolean startsWith(byte[] value, byte[] prefix) {
        return value.length >= prefix.length && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static final Pattern TOKEN = Pattern.compile("\\s*(<=|>=|[=<>(),]|[#:]?[A-Za-z0-9_.\\-]+)");

    /** A KeyConditionExpression: {@code hash = :v [AND range (=|<|<=|>|>=) :v | range BETWEEN :a AND :b | begins_with(range, :p)]}. */
    static List<Condition> parseKeyCondition(String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(expression);
        int end = 0;
        while (m.find() && m.start() == end) {
            tokens.add(m.group(1));
            end = m.end();
        }
        if (!expression.substring(end).isBlank()) throw unparsed(expression);
        List<Condition> conditions = new ArrayList<>();
        int[] at = {0};
        conditions(tokens, at, conditions, names, values, expression);
        if (at[0] != tokens.size()) throw unparsed(expression);
        return conditions;
    }

    private static void conditions(List<String> tokens, int[] at, List<Condition> out, Map<String, String> names,
                                   Map<String, AttributeValue> values, String expression) {
        term(tokens, at, out, names, values, expression);
        while (at[0] < tokens.size() && tokens.get(at[0]).equalsIgnoreCase("AND")) {
            at[0]++;
            term(tokens, at, out, names, values, expression);
        }
    }

    private static void term(List<String> tokens, int[] at, List<Condition> out, Map<String, String> names,
                             Map<String, AttributeValue> values, String expression) {
        String first = token(tokens, at, expression);
        if (first.equals("(")) {
            conditions(tokens, at, out, names, values, expression);
            expect(tokens, at, ")", expression);
        } else if (first.equalsIgnoreCase("begins_with")) {
            expect(tokens, at, "(", expression);
            String name = name(token(tokens, at, expression), names, expression);
            expect(tokens, at, ",", expression);
            AttributeValue prefix = value(token(tokens, at, expression), values, expression);
            expect(tokens, at, ")", expression);
            out.add(new Condition(name, "begins_with", List.of(prefix)));
        } else {
            String name = name(first, names, expression);
            String op = token(tokens, at, expression);
            if (op.equalsIgnoreCase("BETWEEN")) {
                AttributeValue low = value(token(tokens, at, expression), values, expression);
                expect(tokens, at, "AND", expression);
                AttributeValue high = value(token(tokens, at, expression), values, expression);
                out.add(new Condition(name, "BETWEEN", List.of(low, high)));
            } else if (Set.of("=", "<", "<=", ">", ">=").contains(op)) {
                out.add(new Condition(name, op, List.of(value(token(tokens, at, expression), values, expression))));
            } else {
                throw unparsed(expression);
            }
        }
    }

    private static String token(List<String> tokens, int[] at, String expression) {
        if (at[0] >= tokens.size()) throw unparsed(expression);
        return tokens.get(at[0]++);
    }

    private static void expect(List<String> tokens, int[] at, String expected, String expression) {
        if (!token(tokens, at, expression).equalsIgnoreCase(expected)) throw unparsed(expression);
    }

    private static String name(String token, Map<String, String> names, String expression) {
        if (token.startsWith(":")) throw unparsed(expression);
        if (!token.startsWith("#")) return token;
        String name = names.get(token);
        if (name == null) throw unparsed(expression);
        return name;
    }

    private static AttributeValue value(String token, Map<String, AttributeValue> values, String expression) {
        AttributeValue value = token.startsWith(":") ? values.get(token) : null;
        if (value == null) throw unparsed(expression);
        return value;
    }

    private static IllegalStateException unparsed(String expression) {
        return new IllegalStateException("AwsFaults.lagIndexes cannot read the key condition \"" + expression + "\"");
    }

    /** The top-level attributes a ProjectionExpression names ({@code a.b[0]} names {@code a}). */
    static Set<String> topLevel(String projection, Map<String, String> names) {
        Set<String> attributes = new LinkedHashSet<>();
        for (String path : projection.split(",")) {
            String first = path.trim().split("[.\\[]", 2)[0].trim();
            attributes.add(first.startsWith("#") ? names.getOrDefault(first, first) : first);
        }
        return attributes;
    }

    // ---- tables ---------------------------------------------------------------------------------------------------

    private Schema schema(Endpoint endpoint, String table) {
        return schemas.computeIfAbsent(endpoint.uri() + " " + table, k -> {
            TableDescription description = client(endpoint).describeTable(r -> r.tableName(table)).table();
            Map<String, IndexSchema> indexes = new HashMap<>();
            if (description.hasGlobalSecondaryIndexes()) {
                for (GlobalSecondaryIndexDescription gsi : description.globalSecondaryIndexes()) {
                    indexes.put(gsi.indexName(), new IndexSchema(gsi.indexName(), key(gsi.keySchema(), KeyType.HASH),
                            key(gsi.keySchema(), KeyType.RANGE), gsi.projection().projectionType(),
                            gsi.projection().hasNonKeyAttributes() ? gsi.projection().nonKeyAttributes() : List.of()));
                }
            }
            List<String> tableKeys = new ArrayList<>();
            tableKeys.add(key(description.keySchema(), KeyType.HASH));
            String range = key(description.keySchema(), KeyType.RANGE);
            if (range != null) tableKeys.add(range);
            return new Schema(table, List.copyOf(tableKeys), Map.copyOf(indexes));
        });
    }

    private static String key(List<KeySchemaElement> schema, KeyType type) {
        return schema.stream().filter(e -> e.keyType() == type).map(KeySchemaElement::attributeName).findFirst().orElse(null);
    }

    private DynamoDbClient client(Endpoint endpoint) {
        return clients.computeIfAbsent(endpoint, e -> DynamoDbClient.builder().endpointOverride(e.uri()).region(e.region())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(LocalAws.ACCESS_KEY_ID, LocalAws.SECRET_ACCESS_KEY)))
                .httpClient(UrlConnectionHttpClient.create()).build());
    }

    private static Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item, List<String> tableKeys) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        for (String attribute : tableKeys) {
            AttributeValue value = item.get(attribute);
            if (value == null) return null;
            key.put(attribute, value);
        }
        return key;
    }

    private static Map<String, String> canonical(Map<String, AttributeValue> attributes) {
        Map<String, String> canonical = new TreeMap<>();
        attributes.forEach((name, value) -> {
            if (value.s() != null) canonical.put(name, "S:" + value.s());
            else if (value.n() != null) canonical.put(name, "N:" + new BigDecimal(value.n()).stripTrailingZeros().toPlainString());
            else if (value.b() != null) canonical.put(name, "B:" + java.util.Base64.getEncoder().encodeToString(value.b().asByteArray()));
        });
        return canonical;
    }
}
