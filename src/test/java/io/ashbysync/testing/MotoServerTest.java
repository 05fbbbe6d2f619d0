package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

class MotoServerTest {

    @TempDir
    Path dir;

    @Test
    void missingMoto_failsWithTheInstallCommand() {
        Map<String, String> environment = Map.of("PATH", dir.resolve("bin").toString());

        assertThatThrownBy(() -> MotoServer.locate(environment, dir.resolve("pyenv-versions")))
                .isInstanceOf(MotoServer.NotInstalledException.class)
                .hasMessage("pip install 'moto[server]==5.2.1'");
    }

    @Test
    void motoServerVariableNamingNoExecutable_failsWithTheInstallCommand() {
        Map<String, String> environment = Map.of("MOTO_SERVER", dir.resolve("nothing-here").toString());

        assertThatThrownBy(() -> MotoServer.locate(environment, dir))
                .hasMessage("pip install 'moto[server]==5.2.1'");
    }

    @Test
    void motoServerVariable_winsOverPathAndPyenv() throws IOException {
        Path chosen = executable(dir.resolve("chosen/moto_server"));
        Path onPath = executable(dir.resolve("bin/moto_server"));

        assertThat(MotoServer.locate(Map.of("MOTO_SERVER", chosen.toString(), "PATH", onPath.getParent().toString()), dir))
                .isEqualTo(chosen);
    }

    @Test
    void withoutVariableOrPath_theNewestPyenvVersionIsUsed() throws IOException {
        executable(dir.resolve("versions/3.9.18/bin/moto_server"));
        Path newest = executable(dir.resolve("versions/3.11.7/bin/moto_server"));

        assertThat(MotoServer.locate(Map.of("PATH", dir.resolve("empty").toString()), dir.resolve("versions")))
                .isEqualTo(newest);
    }

    @Test
    void aPythonMotoServerScript_runsTheLauncherWithItsOwnPython() throws IOException {
        Path python = executable(dir.resolve("venv/bin/python3.11"));
        Path script = dir.resolve("venv/bin/moto_server");
        Files.writeString(script, "#!" + python + "\nimport sys\n");

        assertThat(MotoServer.launchCommand(script)).containsExactly(python.toString(), MotoServer.LAUNCHER.toAbsolutePath().toString());
    }

    @Test
    void aShimBesideAPythonThatHasMoto_runsTheLauncherWithThatPython() throws IOException {
        Path shim = executable(dir.resolve("shims/moto_server"));
        Path python = executable(dir.resolve("shims/python3"));

        assertThat(MotoServer.launchCommand(shim)).containsExactly(python.toString(), MotoServer.LAUNCHER.toAbsolutePath().toString());
    }

    @Test
    void aMotoServerThatIsNotAPythonScript_runsAsItIs() throws IOException {
        Path shim = executable(dir.resolve("shims/moto_server"));

        assertThat(MotoServer.launchCommand(shim)).containsExactly(shim.toString());
    }

    /** The launcher's fixes change moto's cost, not its answers: what DynamoDB would answer, through the real server. */
    @Test
    void throughTheLauncher_aCancelledTransactionLeavesEveryItemAsItWas_andKeyAndIndexQueriesPageInOrder() {
        try (MotoServer moto = MotoServer.start(); DynamoDbClient dynamo = client(moto)) {
            dynamo.createTable(t -> t.tableName("t").billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE))
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                            a -> a.attributeName("sk").attributeType(ScalarAttributeType.S),
                            a -> a.attributeName("g").attributeType(ScalarAttributeType.S),
                            a -> a.attributeName("r").attributeType(ScalarAttributeType.S))
                    .globalSecondaryIndexes(g -> g.indexName("ByGroup").projection(p -> p.projectionType(ProjectionType.ALL))
                            .keySchema(k -> k.attributeName("g").keyType(KeyType.HASH), k -> k.attributeName("r").keyType(KeyType.RANGE))));
            for (int i = 0; i < 30; i++) {
                Map<String, AttributeValue> item = new HashMap<>(Map.of("pk", s("p" + (i % 3)), "sk", s("s%02d".formatted(i)), "v", n(1),
                        "r", s("r%02d".formatted(29 - i))));
                if (i % 5 != 0) item.put("g", s("g" + (i % 2)));
                dynamo.putItem(r -> r.tableName("t").item(item));
            }

            assertThatThrownBy(() -> dynamo.transactWriteItems(r -> r.transactItems(
                    TransactWriteItem.builder().update(u -> u.tableName("t").key(Map.of("pk", s("p0"), "sk", s("s00")))
                            .updateExpression("SET v = :two").expressionAttributeValues(Map.of(":two", n(2)))).build(),
                    TransactWriteItem.builder().put(p -> p.tableName("t").item(Map.of("pk", s("new"), "sk", s("x")))).build(),
                    TransactWriteItem.builder().delete(d -> d.tableName("t").key(Map.of("pk", s("p1"), "sk", s("s01")))).build(),
                    TransactWriteItem.builder().conditionCheck(c -> c.tableName("t").key(Map.of("pk", s("p2"), "sk", s("s02")))
                            .conditionExpression("attribute_not_exists(pk)")).build())))
                    .isInstanceOf(TransactionCanceledException.class);
            assertThat(dynamo.getItem(r -> r.tableName("t").key(Map.of("pk", s("p0"), "sk", s("s00")))).item().get("v").n()).isEqualTo("1");
            assertThat(dynamo.getItem(r -> r.tableName("t").key(Map.of("pk", s("new"), "sk", s("x")))).hasItem()).isFalse();
            assertThat(dynamo.getItem(r -> r.tableName("t").key(Map.of("pk", s("p1"), "sk", s("s01")))).hasItem()).isTrue();

            List<String> newestFirst = new ArrayList<>();
            Map<String, AttributeValue> from = null;
            do {
                Map<String, AttributeValue> start = from;
                QueryResponse page = dynamo.query(r -> r.tableName("t").keyConditionExpression("pk = :p AND begins_with(sk, :s)")
                        .expressionAttributeValues(Map.of(":p", s("p1"), ":s", s("s"))).scanIndexForward(false).limit(4)
                        .exclusiveStartKey(start));
                page.items().forEach(item -> newestFirst.add(item.get("sk").s()));
                from = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (from != null);
            assertThat(newestFirst).containsExactly("s28", "s25", "s22", "s19", "s16", "s13", "s10", "s07", "s04", "s01");

            List<String> byIndexKey = new ArrayList<>();
            from = null;
            do {
                Map<String, AttributeValue> start = from;
                QueryResponse page = dynamo.query(r -> r.tableName("t").indexName("ByGroup").keyConditionExpression("g = :g")
                        .expressionAttributeValues(Map.of(":g", s("g1"))).limit(3).exclusiveStartKey(start));
                page.items().forEach(item -> byIndexKey.add(item.get("sk").s()));
                from = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (from != null);
            assertThat(byIndexKey).as("odd items with a group, ordered by r (the reverse of sk)")
                    .containsExactly("s29", "s27", "s23", "s21", "s19", "s17", "s13", "s11", "s09", "s07", "s03", "s01");
        }
    }

    /** The search index's count updates take the launcher's direct path for number ADDs; DynamoDB's answers stay. */
    @Test
    void throughTheLauncher_numberAddsCountAsDynamoDbDoes_andWhatDynamoDbRefusesIsRefused() {
        try (MotoServer moto = MotoServer.start(); DynamoDbClient dynamo = client(moto)) {
            createKeyTable(dynamo);
            Map<String, AttributeValue> count = Map.of("pk", s("list"), "sk", s("COUNT"));
            Map<String, String> names = Map.of("#c", "candidates", "#s", "stage:one");

            dynamo.transactWriteItems(r -> r.transactItems(TransactWriteItem.builder().update(u -> u.tableName("t").key(count)
                    .updateExpression("ADD #c :c, #s :s").expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(":c", n(1), ":s", n(2)))).build()));
            dynamo.updateItem(u -> u.tableName("t").key(count).updateExpression(" ADD  #c :c ,#s :s ").expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(":c", n(-3), ":s", AttributeValue.fromN("0.5"))));
            assertThat(dynamo.getItem(r -> r.tableName("t").key(count).consistentRead(true)).item())
                    .as("a missing item and attributes start from 0").isEqualTo(Map.of("pk", s("list"), "sk", s("COUNT"),
                            "candidates", n(-2), "stage:one", AttributeValue.fromN("2.5")));

            assertThatThrownBy(() -> dynamo.transactWriteItems(r -> r.transactItems(
                    TransactWriteItem.builder().update(u -> u.tableName("t").key(count).updateExpression("ADD #c :c")
                            .expressionAttributeNames(Map.of("#c", "candidates")).expressionAttributeValues(Map.of(":c", n(10)))).build(),
                    TransactWriteItem.builder().conditionCheck(c -> c.tableName("t").key(Map.of("pk", s("list"), "sk", s("other")))
                            .conditionExpression("attribute_exists(pk)")).build())))
                    .as("a cancelled transaction").isInstanceOf(TransactionCanceledException.class);
            dynamo.putItem(r -> r.tableName("t").item(Map.of("pk", s("list"), "sk", s("text"), "candidates", s("many"))));
            assertThatThrownBy(() -> dynamo.updateItem(u -> u.tableName("t").key(Map.of("pk", s("list"), "sk", s("text")))
                    .updateExpression("ADD #c :c").expressionAttributeNames(Map.of("#c", "candidates")).expressionAttributeValues(Map.of(":c", n(1)))))
                    .as("a number added to a string").hasMessageContaining("operand");
            assertThatThrownBy(() -> dynamo.updateItem(u -> u.tableName("t").key(count).updateExpression("ADD #c :c")
                    .expressionAttributeNames(Map.of("#c", "candidates")).expressionAttributeValues(Map.of(":c", s("one")))))
                    .as("a string added to a number").hasMessageContaining("operand");
            assertThatThrownBy(() -> dynamo.updateItem(u -> u.tableName("t").key(count).updateExpression("ADD #k :c")
                    .expressionAttributeNames(Map.of("#k", "sk")).expressionAttributeValues(Map.of(":c", n(1)))))
                    .as("a key attribute").hasMessageContaining("key");
            assertThat(dynamo.getItem(r -> r.tableName("t").key(count).consistentRead(true)).item().get("candidates"))
                    .as("nothing refused was applied").isEqualTo(n(-2));
        }
    }

    /** The item operations' answers are written by the launcher's own JSON path, binary values by moto's serializer. */
    @Test
    void throughTheLauncher_everyAttributeTypeReadsBackAsWritten_byEveryItemOperation() {
        try (MotoServer moto = MotoServer.start(); DynamoDbClient dynamo = client(moto)) {
            createKeyTable(dynamo);
            Map<String, AttributeValue> rich = Map.of("pk", s("p"), "sk", s("rich"),
                    "text", s("h\u00e9llo \u2713 \"quoted\" \\ / \n"), "number", AttributeValue.fromN("-12.50"),
                    "strings", AttributeValue.fromSs(List.of("a", "b")), "numbers", AttributeValue.fromNs(List.of("1", "2.5")),
                    "list", AttributeValue.fromL(List.of(s("x"), n(3), AttributeValue.fromM(Map.of("flag", AttributeValue.fromBool(true))))),
                    "map", AttributeValue.fromM(Map.of("nothing", AttributeValue.fromNul(true), "no", AttributeValue.fromBool(false))));
            Map<String, AttributeValue> binary = Map.of("pk", s("p"), "sk", s("binary"),
                    "bytes", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 0xff})),
                    "byteSets", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("one"))));
            Map<String, AttributeValue> richKey = Map.of("pk", s("p"), "sk", s("rich"));
            Map<String, AttributeValue> binaryKey = Map.of("pk", s("p"), "sk", s("binary"));

            dynamo.putItem(r -> r.tableName("t").item(rich));
            assertThat(dynamo.putItem(r -> r.tableName("t").item(binary)).attributes()).isEmpty();
            assertThat(dynamo.putItem(r -> r.tableName("t").item(rich).returnValues(ReturnValue.ALL_OLD)).attributes()).isEqualTo(rich);
            assertThat(dynamo.getItem(r -> r.tableName("t").key(richKey)).item()).isEqualTo(rich);
            assertThat(dynamo.getItem(r -> r.tableName("t").key(binaryKey)).item()).isEqualTo(binary);
            assertThat(dynamo.getItem(r -> r.tableName("t").key(Map.of("pk", s("p"), "sk", s("none")))).hasItem()).isFalse();
            assertThat(dynamo.query(r -> r.tableName("t").keyConditionExpression("pk = :p").expressionAttributeValues(Map.of(":p", s("p")))).items())
                    .containsExactly(binary, rich);
            assertThat(dynamo.batchGetItem(r -> r.requestItems(Map.of("t", KeysAndAttributes.builder().keys(richKey).build())))
                    .responses().get("t")).containsExactly(rich);
            assertThat(dynamo.transactGetItems(r -> r.transactItems(TransactGetItem.builder().get(g -> g.tableName("t").key(richKey)).build()))
                    .responses().getFirst().item()).isEqualTo(rich);
            assertThat(dynamo.updateItem(r -> r.tableName("t").key(richKey).updateExpression("SET #n = :n")
                    .expressionAttributeNames(Map.of("#n", "number")).expressionAttributeValues(Map.of(":n", n(7)))
                    .returnValues(ReturnValue.UPDATED_OLD)).attributes()).isEqualTo(Map.of("number", AttributeValue.fromN("-12.50")));
            assertThat(dynamo.deleteItem(r -> r.tableName("t").key(binaryKey).returnValues(ReturnValue.ALL_OLD)).attributes()).isEqualTo(binary);
        }
    }

    @Test
    void throughTheLauncher_concurrentTransactionsOnOneItem_loseNoUpdateWhenSomeAreCancelled() throws Exception {
        try (MotoServer moto = MotoServer.start(); DynamoDbClient dynamo = client(moto)) {
            dynamo.createTable(t -> t.tableName("t").billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S)));
            int writers = 6;
            int claims = 20;
            List<Future<Integer>> committed = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(writers)) {
                for (int w = 0; w < writers; w++) {
                    String writer = "w" + w;
                    committed.add(threads.submit(() -> {
                        int done = 0;
                        // every claim is tried twice: the second try is cancelled by its condition and undone; the
                        // other writes make each transaction long enough for requests to overlap it
                        for (int i = 0; i < 2 * claims; i++) {
                            String claim = writer + "-" + (i % claims);
                            List<TransactWriteItem> actions = new ArrayList<>();
                            actions.add(TransactWriteItem.builder().update(u -> u.tableName("t").key(Map.of("pk", s("counter")))
                                    .updateExpression("ADD n :one").expressionAttributeValues(Map.of(":one", n(1)))).build());
                            for (int k = 0; k < 30; k++) {
                                String other = writer + "-" + i + "-other-" + k;
                                actions.add(TransactWriteItem.builder().put(p -> p.tableName("t").item(Map.of("pk", s(other)))).build());
                            }
                            actions.add(TransactWriteItem.builder().put(p -> p.tableName("t").item(Map.of("pk", s(claim)))
                                    .conditionExpression("attribute_not_exists(pk)")).build());
                            try {
                                dynamo.transactWriteItems(r -> r.transactItems(actions));
                                done++;
                            } catch (TransactionCanceledException taken) {
                                // the claim was made by the first try
                            }
                        }
                        return done;
                    }));
                }
            }
            int total = 0;
            for (Future<Integer> f : committed) total += f.get();
            assertThat(total).isEqualTo(writers * claims);
            assertThat(dynamo.getItem(r -> r.tableName("t").key(Map.of("pk", s("counter")))).item().get("n").n())
                    .as("one increment per committed transaction").isEqualTo(Integer.toString(total));
        }
    }

    /** Table {@code t} keyed by strings {@code pk} and {@code sk}. */
    private static void createKeyTable(DynamoDbClient dynamo) {
        dynamo.createTable(t -> t.tableName("t").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE))
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S)));
    }

    private static DynamoDbClient client(MotoServer moto) {
        return DynamoDbClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static Path executable(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }
}
