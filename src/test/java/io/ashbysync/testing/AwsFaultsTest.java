package io.ashbysync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.simulator.MutableClock;
import io.ashbysync.idempotency.IdempotencyStore;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import io.ashbysync.testing.AwsFaults.Kind;
import io.ashbysync.testing.AwsFaults.Service;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ThrottlingException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.RequestThrottledException;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The fault layer ({@link AwsFaults}) on the product's own DynamoDB, SQS and S3 clients: each fault as the SDK raises
 * it, consumed by the SDK's retries attempt by attempt, aimed at one table or queue, transactions cancelled as
 * DynamoDB cancels them, and indexes that lag their table by a clock the test moves.
 */
@QuarkusTest
class AwsFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectLocalAws
    LocalAws aws;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    SqsClient sqs;
    @Inject
    S3Client s3;
    @Inject
    EventPublisher publisher;
    @Inject
    IdempotencyStore idempotency;
    @Inject
    MirrorStore mirror;

    private final MutableClock clock = new MutableClock(Instant.parse("2031-03-01T09:00:00Z"));

    @AfterEach
    void clearFaults() {
        AwsFaults.plan().clear();
    }

    // ---- off by default, on every client ------------------------------------------------------------------------

    @Test
    void nothingIsInjectedUnlessATestAsks_andEveryAttemptOfTheThreeClientsIsSeen_afterAwsLimits() {
        dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key("faults#off")));
        sqs.getQueueAttributes(r -> r.queueUrl(aws.queueUrl("WorkDeadLetterQueue")).attributeNames(QueueAttributeName.ALL));
        s3.headBucket(r -> r.bucket(aws.filesBucket()));

        assertThat(AwsFaults.plan().injected().total()).isZero();
        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "GetItem", idempotencyTable())).isEqualTo(1);
        assertThat(AwsFaults.plan().attempts(Service.SQS, "GetQueueAttributes", aws.queueUrl("WorkDeadLetterQueue"))).isEqualTo(1);
        assertThat(AwsFaults.plan().attempts(Service.S3, "HeadBucket", aws.filesBucket())).isEqualTo(1);
        assertThat(ConfigProvider.getConfig().getValue("quarkus.dynamodb.interceptors", String.class))
                .isEqualTo("io.ashbysync.testing.AwsLimits,io.ashbysync.testing.AwsFaults");

        // AwsLimits refuses an item over 400 KB before any attempt: the fault waiting for it is not consumed
        AwsFaults.plan().failNext(Service.DYNAMODB, "PutItem", idempotencyTable(), 1, Kind.SERVER_ERROR);
        Map<String, AttributeValue> big = new HashMap<>(key("faults#big"));
        big.put("data", AttributeValue.fromS("x".repeat(410_000)));
        assertThatThrownBy(() -> dynamo.putItem(r -> r.tableName(idempotencyTable()).item(big)))
                .isInstanceOf(DynamoDbException.class)
                .satisfies(e -> assertThat(((DynamoDbException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "PutItem", idempotencyTable())).isZero();
        assertThat(AwsFaults.plan().injected().total()).isZero();
    }

    // ---- each kind as the SDK raises it -------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void dynamoDb_eachKindReachesTheCallerAsTheSdkRaisesIt_andNothingIsWritten(Kind kind) {
        Map<String, AttributeValue> key = key("faults#" + UUID.randomUUID());
        AwsFaults.plan().failNext(Service.DYNAMODB, "PutItem", idempotencyTable(), 1, kind);

        Throwable thrown = catchThrowable(() -> dynamo.putItem(r -> r.tableName(idempotencyTable()).item(key).overrideConfiguration(noRetries())));

        switch (kind) {
            case THROTTLING -> assertServiceError(thrown, ProvisionedThroughputExceededException.class, 400, "ProvisionedThroughputExceededException", true);
            case SERVER_ERROR -> assertServiceError(thrown, InternalServerErrorException.class, 500, "InternalServerError", false);
            case TIMEOUT -> assertIoFailure(thrown, SocketTimeoutException.class, "Read timed out");
            case CONNECTION_RESET -> assertIoFailure(thrown, SocketException.class, "Connection reset");
        }
        assertThat(dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key).consistentRead(true)).hasItem()).isFalse();
        assertThat(AwsFaults.plan().injected().count(Service.DYNAMODB, "PutItem", idempotencyTable())).isEqualTo(1);
    }

    @Test
    void dynamoDb_throttlingOfATableOperation_isAThrottlingException() {
        AwsFaults.plan().failNext(Service.DYNAMODB, "DescribeTable", null, 1, Kind.THROTTLING);

        Throwable thrown = catchThrowable(() -> dynamo.describeTable(r -> r.tableName(idempotencyTable()).overrideConfiguration(noRetries())));

        assertServiceError(thrown, ThrottlingException.class, 400, "ThrottlingException", true);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sqs_eachKindReachesTheCallerAsTheSdkRaisesIt(Kind kind) {
        String queue = aws.queueUrl("WorkDeadLetterQueue");
        AwsFaults.plan().failNext(Service.SQS, "GetQueueAttributes", queue, 1, kind);

        Throwable thrown = catchThrowable(() -> sqs.getQueueAttributes(r -> r.queueUrl(queue).overrideConfiguration(noRetries())));

        switch (kind) {
            case THROTTLING -> assertServiceError(thrown, RequestThrottledException.class, 400, "RequestThrottled", true);
            case SERVER_ERROR -> assertServiceError(thrown, SqsException.class, 500, "InternalFailure", false);
            case TIMEOUT -> assertIoFailure(thrown, SocketTimeoutException.class, "Read timed out");
            case CONNECTION_RESET -> assertIoFailure(thrown, SocketException.class, "Connection reset");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void s3_eachKindReachesTheCallerAsTheSdkRaisesIt_andNothingIsStored(Kind kind) {
        String objectKey = "faults/" + UUID.randomUUID();
        AwsFaults.plan().failNext(Service.S3, "PutObject", aws.filesBucket(), 1, kind);

        Throwable thrown = catchThrowable(() -> s3.putObject(r -> r.bucket(aws.filesBucket()).key(objectKey).overrideConfiguration(noRetries()),
                RequestBody.fromString("resume")));

        switch (kind) {
            case THROTTLING -> assertServiceError(thrown, S3Exception.class, 503, "SlowDown", true);
            case SERVER_ERROR -> assertServiceError(thrown, S3Exception.class, 500, "InternalError", false);
            case TIMEOUT -> assertIoFailure(thrown, SocketTimeoutException.class, "Read timed out");
            case CONNECTION_RESET -> assertIoFailure(thrown, SocketException.class, "Connection reset");
        }
        assertThatThrownBy(() -> s3.headObject(r -> r.bucket(aws.filesBucket()).key(objectKey))).isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(404));
    }

    // ---- call sites --------------------------------------------------------------------------------------------

    @Test
    void callSites_nameTheProductCodeOfEachCall_andAFaultAimedAtOneSiteSparesTheOthersOfItsOperation() {
        String id = "sites-" + UUID.randomUUID();
        AwsFaults.plan().recordCallSites();
        idempotency.begin("t-sites", id, "hash", Instant.now(), Duration.ofMinutes(1), Duration.ofDays(1));
        idempotency.saveProgress("t-sites", id, JSON.createObjectNode().put("step", 1));
        List<AwsFaults.CallSite> sites = AwsFaults.plan().callSites();
        assertThat(sites).extracting(AwsFaults.CallSite::operation).containsExactly("UpdateItem", "UpdateItem");
        assertThat(sites.get(0).code()).startsWith("IdempotencyStore.begin:").doesNotContain("AwsFaultsTest");
        assertThat(sites.get(1).code()).startsWith("IdempotencyStore.saveProgress:");
        AwsFaults.plan().clear();

        AwsFaults.plan().failNextCallsAt(sites.get(1), 1, Kind.CALL_TIMEOUT);
        String other = "sites-" + UUID.randomUUID();
        idempotency.begin("t-sites", other, "hash", Instant.now(), Duration.ofMinutes(1), Duration.ofDays(1));
        assertThatThrownBy(() -> idempotency.saveProgress("t-sites", other, JSON.createObjectNode()))
                .isInstanceOf(ApiCallTimeoutException.class);
        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "UpdateItem", idempotencyTable())).as("not retried by the SDK").isEqualTo(2);
        assertThat(AwsFaults.plan().injected().total()).isEqualTo(1);
    }

    // ---- per attempt: the SDK's retries consume the faults ------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Kind.class, mode = EnumSource.Mode.EXCLUDE, names = "CALL_TIMEOUT")
    void dynamoDb_twoFailedAttempts_areRetriedByTheSdk_andTheCallSucceeds(Kind kind) {
        Map<String, AttributeValue> key = key("faults#" + UUID.randomUUID());
        AwsFaults.plan().failNext(Service.DYNAMODB, "PutItem", idempotencyTable(), 2, kind);

        dynamo.putItem(r -> r.tableName(idempotencyTable()).item(key));

        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "PutItem", idempotencyTable())).isEqualTo(3);
        assertThat(AwsFaults.plan().injected().count(Service.DYNAMODB, "PutItem", idempotencyTable())).isEqualTo(2);
        assertThat(dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key).consistentRead(true)).hasItem()).isTrue();
        // consumed: the next call goes through at its first attempt
        dynamo.putItem(r -> r.tableName(idempotencyTable()).item(key));
        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "PutItem", idempotencyTable())).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, mode = EnumSource.Mode.EXCLUDE, names = "CALL_TIMEOUT")
    void sqsAndS3_aFailedAttempt_isRetriedByTheSdk(Kind kind) {
        String queue = aws.queueUrl("WorkDeadLetterQueue");
        AwsFaults.plan().failNext(Service.SQS, "GetQueueAttributes", queue, 1, kind)
                .failNext(Service.S3, "PutObject", aws.filesBucket(), 1, kind);

        sqs.getQueueAttributes(r -> r.queueUrl(queue));
        s3.putObject(r -> r.bucket(aws.filesBucket()).key("faults/retried-" + kind), RequestBody.fromString("resume"));

        assertThat(AwsFaults.plan().attempts(Service.SQS, "GetQueueAttributes", queue)).isEqualTo(2);
        assertThat(AwsFaults.plan().attempts(Service.S3, "PutObject", aws.filesBucket())).isEqualTo(2);
        assertThat(AwsFaults.plan().injected().total()).isEqualTo(2);
    }

    @Test
    void aWriteWhoseAnswerWasLost_isAppliedAndRetried_soAConditionalPutFailsOnItsOwnWrite() {
        Map<String, AttributeValue> key = key("faults#" + UUID.randomUUID());
        AwsFaults.plan().failNextAfterApplying(Service.DYNAMODB, "PutItem", idempotencyTable(), 1, Kind.CONNECTION_RESET);

        assertThatThrownBy(() -> dynamo.putItem(r -> r.tableName(idempotencyTable()).item(key).conditionExpression("attribute_not_exists(pk)")))
                .isInstanceOf(ConditionalCheckFailedException.class);

        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "PutItem", idempotencyTable())).isEqualTo(2);
        assertThat(AwsFaults.plan().injected().all()).singleElement().satisfies(i -> assertThat(i.afterApplying()).isTrue());
        assertThat(dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key).consistentRead(true)).hasItem()).isTrue();
        assertThatThrownBy(() -> AwsFaults.plan().failNextAfterApplying(Service.SQS, null, null, 1, Kind.THROTTLING))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailedCall_failsEveryAttemptTheSdkMakes_thenTheNextCallSucceeds() {
        String objectKey = "faults/" + UUID.randomUUID();
        AwsFaults.plan().failNextCalls(Service.S3, "PutObject", aws.filesBucket(), 1, Kind.SERVER_ERROR)
                .failNextCalls(Service.DYNAMODB, "GetItem", idempotencyTable(), 1, Kind.CONNECTION_RESET);

        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(aws.filesBucket()).key(objectKey), RequestBody.fromString("resume")))
                .isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(500));
        assertThatThrownBy(() -> dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key("faults#gone"))))
                .isInstanceOf(SdkClientException.class).hasRootCauseInstanceOf(SocketException.class);

        // the SDK's attempts per call, as the product's clients are configured (no retry settings: the SDK's defaults)
        assertThat(AwsFaults.plan().attempts(Service.S3, "PutObject", aws.filesBucket())).isEqualTo(S3_ATTEMPTS);
        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "GetItem", idempotencyTable())).isEqualTo(DYNAMODB_ATTEMPTS);
        s3.putObject(r -> r.bucket(aws.filesBucket()).key(objectKey), RequestBody.fromString("resume"));
        assertThat(s3.headObject(r -> r.bucket(aws.filesBucket()).key(objectKey)).contentLength()).isEqualTo(6);
    }

    /** The SDK's default ("legacy") retry mode: 3 retries, and 8 for DynamoDB. */
    private static final long S3_ATTEMPTS = 4;
    private static final long DYNAMODB_ATTEMPTS = 9;

    // ---- aimed at one table, queue or operation -----------------------------------------------------------------

    @Test
    void aFaultAimedAtOneTableAndOperation_leavesOtherTablesAndOperationsAlone() {
        String queue = aws.queueUrl("WorkDeadLetterQueue");
        AwsFaults.plan().failNext(Service.DYNAMODB, "PutItem", idempotencyTable(), 1, Kind.SERVER_ERROR)
                .failNext(Service.SQS, "GetQueueAttributes", queue, 1, Kind.THROTTLING);

        dynamo.putItem(r -> r.tableName(mirrorTable()).item(mirrorItem("faults-" + UUID.randomUUID(), "x", "p1")).overrideConfiguration(noRetries()));
        dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key("faults#other")).overrideConfiguration(noRetries()));
        sqs.getQueueAttributes(r -> r.queueUrl(aws.queueUrl("EventsDeadLetterQueue")).overrideConfiguration(noRetries()));
        sqs.sendMessage(r -> r.queueUrl(queue).messageBody("{}").overrideConfiguration(noRetries()));
        assertThat(AwsFaults.plan().injected().total()).isZero();

        assertThatThrownBy(() -> dynamo.putItem(r -> r.tableName(idempotencyTable()).item(key("faults#aimed")).overrideConfiguration(noRetries())))
                .isInstanceOf(InternalServerErrorException.class);
        assertThatThrownBy(() -> sqs.getQueueAttributes(r -> r.queueUrl(queue).overrideConfiguration(noRetries())))
                .isInstanceOf(RequestThrottledException.class);
        assertThat(AwsFaults.plan().injected().all()).extracting(AwsFaults.Injection::operation, AwsFaults.Injection::targets)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PutItem", List.of(idempotencyTable())),
                        org.assertj.core.groups.Tuple.tuple("GetQueueAttributes", List.of(AwsFaults.targetName(queue))));
        aws.sqs().purgeQueue(r -> r.queueUrl(queue));
    }

    // ---- transactions -------------------------------------------------------------------------------------------

    @Test
    void aCancelledTransaction_appliesNothing_carriesOneReasonPerAction_andIsNotRetried() {
        String tenant = "faults-" + UUID.randomUUID();
        Map<String, AttributeValue> mirrorItem = mirrorItem(tenant, "a", "p1");
        Map<String, AttributeValue> record = key("faults#" + tenant);
        List<TransactWriteItem> actions = List.of(
                TransactWriteItem.builder().put(p -> p.tableName(mirrorTable()).item(mirrorItem)).build(),
                TransactWriteItem.builder().put(p -> p.tableName(idempotencyTable()).item(record)).build());
        AwsFaults.plan().cancelNextTransactions(idempotencyTable(), 1);

        assertThatThrownBy(() -> dynamo.transactWriteItems(r -> r.transactItems(actions)))
                .isInstanceOfSatisfying(TransactionCanceledException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("TransactionCanceledException");
                    assertThat(e.cancellationReasons()).extracting(CancellationReason::code).containsExactly("None", "TransactionConflict");
                    assertThat(e.getMessage()).contains("[None, TransactionConflict]");
                });
        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "TransactWriteItems", idempotencyTable())).isEqualTo(1);
        assertThat(dynamo.getItem(r -> r.tableName(mirrorTable()).key(mirrorKey(mirrorItem)).consistentRead(true)).hasItem()).isFalse();
        assertThat(dynamo.getItem(r -> r.tableName(idempotencyTable()).key(record).consistentRead(true)).hasItem()).isFalse();

        dynamo.transactWriteItems(r -> r.transactItems(actions));
        assertThat(dynamo.getItem(r -> r.tableName(mirrorTable()).key(mirrorKey(mirrorItem)).consistentRead(true)).hasItem()).isTrue();
        assertThat(AwsFaults.plan().injected().count("TransactionCanceled:TransactionConflict")).isEqualTo(1);

        // any table: the first action conflicts; a transaction on another table is left alone
        AwsFaults.plan().cancelNextTransactions(null, 1).cancelNextTransactions(aws.tableName("TenantsTable"), 1);
        assertThatThrownBy(() -> dynamo.transactWriteItems(r -> r.transactItems(actions)))
                .isInstanceOfSatisfying(TransactionCanceledException.class, e ->
                        assertThat(e.cancellationReasons()).extracting(CancellationReason::code).containsExactly("TransactionConflict", "None"));
        dynamo.transactWriteItems(r -> r.transactItems(actions));
    }

    // ---- lagging indexes ----------------------------------------------------------------------------------------

    @Test
    void aLaggingIndex_hidesANewItemUntilTheClockPassesTheLag_whileTheTableShowsItAtOnce() {
        AwsFaults.plan().clock(clock).lagIndexes(Duration.ofSeconds(5));
        String tenant = "faults-" + UUID.randomUUID();
        Map<String, AttributeValue> item = mirrorItem(tenant, "a", "p1");

        dynamo.putItem(r -> r.tableName(mirrorTable()).item(item));

        assertThat(indexPks(tenant)).isEmpty();
        assertThat(dynamo.getItem(r -> r.tableName(mirrorTable()).key(mirrorKey(item)).consistentRead(true)).item()).isEqualTo(item);
        assertThat(dynamo.query(r -> r.tableName(mirrorTable()).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", item.get("pk")))).items()).hasSize(1);
        clock.advance(Duration.ofMillis(4_999));
        assertThat(indexPks(tenant)).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(indexPks(tenant)).containsExactly(item.get("pk").s());
    }

    @Test
    void aRowStampedLessThanTheLagAgo_isSeenByForEachPresenceWithItsPreviousPass_asReconciliationWouldSeeIt() {
        AwsFaults.plan().clock(clock).lagIndexes(Duration.ofSeconds(2));
        String tenant = "faults-" + UUID.randomUUID();
        mirror.upsertPage(tenant, new MirrorStore.Page("CANDIDATE", null, "pass-1", Instant.now(), List.of(new MirrorStore.Listed("c1",
                Instant.parse("2031-01-01T00:00:00Z"), JSON.createObjectNode().put("id", "c1"), Map.of()))));
        clock.advance(Duration.ofSeconds(3));
        assertThat(presence(tenant)).containsExactly(Map.entry("c1", "pass-1"));

        mirror.markSeen(tenant, "CANDIDATE", "c1", "pass-2");

        assertThat(mirror.get(tenant, "CANDIDATE", "c1", MirrorStore.ITEM).orElseThrow().seenPass()).isEqualTo("pass-2");
        assertThat(presence(tenant)).containsExactly(Map.entry("c1", "pass-1"));
        clock.advance(Duration.ofSeconds(2));
        assertThat(presence(tenant)).containsExactly(Map.entry("c1", "pass-2"));
    }

    @Test
    void aLaggingIndex_pagesDeletedAndUpdatedItemsAsTheyWere_inIndexOrder_withTheCallersProjection() {
        AwsFaults.plan().clock(clock).lagIndexes(Duration.ofSeconds(5));
        String tenant = "faults-" + UUID.randomUUID();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (String id : List.of("a", "b", "c", "d", "e")) {
            items.add(mirrorItem(tenant, id, "p1"));
            dynamo.putItem(r -> r.tableName(mirrorTable()).item(items.getLast()));
        }
        clock.advance(Duration.ofSeconds(5));
        List<String> all = items.stream().map(i -> i.get("pk").s()).toList();
        assertThat(indexPks(tenant)).containsExactlyElementsOf(all);

        dynamo.deleteItem(r -> r.tableName(mirrorTable()).key(mirrorKey(items.get(2))));
        dynamo.updateItem(r -> r.tableName(mirrorTable()).key(mirrorKey(items.get(3))).updateExpression("SET seenPass = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p2"))));
        Map<String, AttributeValue> created = mirrorItem(tenant, "f", "p2");
        dynamo.putItem(r -> r.tableName(mirrorTable()).item(created));

        // two per page: the deleted "c" is still on its page, "d" still has its old pass, "f" is not there yet
        List<Map<String, AttributeValue>> paged = indexItems(tenant, q -> q.limit(2));
        assertThat(paged).extracting(i -> i.get("pk").s()).containsExactlyElementsOf(all);
        assertThat(paged).extracting(i -> i.get("seenPass").s()).containsOnly("p1");
        assertThat(indexItems(tenant, q -> q.limit(2).scanIndexForward(false))).extracting(i -> i.get("pk").s())
                .containsExactlyElementsOf(all.reversed());
        // the purge's shape: only pk projected, as the caller asked (the fault layer reads the keys it needs and drops them)
        assertThat(indexItems(tenant, q -> q.limit(3).projectionExpression("pk")))
                .allSatisfy(i -> assertThat(i.keySet()).containsExactly("pk"))
                .extracting(i -> i.get("pk").s()).containsExactlyElementsOf(all);
        // a sort-key condition: "c" is brought back only where it matches
        assertThat(indexItems(tenant, q -> q.keyConditionExpression("tenantType = :tt AND pk > :after")
                .expressionAttributeValues(Map.of(":tt", AttributeValue.fromS(MirrorStore.tenantType(tenant, "CANDIDATE")),
                        ":after", items.get(1).get("pk")))))
                .extracting(i -> i.get("pk").s()).containsExactly(all.get(2), all.get(3), all.get(4));

        clock.advance(Duration.ofSeconds(5));
        List<Map<String, AttributeValue>> caughtUp = indexItems(tenant, q -> q.limit(2));
        assertThat(caughtUp).extracting(i -> i.get("pk").s())
                .containsExactly(all.get(0), all.get(1), all.get(3), all.get(4), created.get("pk").s());
        assertThat(caughtUp.get(2).get("seenPass").s()).isEqualTo("p2");
    }

    @Test
    void transactionAndBatchWrites_lagInTheIndexToo_andAScanOfTheIndexLagsLikeAQuery() {
        AwsFaults.plan().clock(clock).lagIndexes(Duration.ofSeconds(1));
        String tenant = "faults-" + UUID.randomUUID();
        Map<String, AttributeValue> viaTransaction = mirrorItem(tenant, "t", "p1");
        Map<String, AttributeValue> viaBatch = mirrorItem(tenant, "u", "p1");

        dynamo.transactWriteItems(r -> r.transactItems(TransactWriteItem.builder().put(p -> p.tableName(mirrorTable()).item(viaTransaction)).build()));
        dynamo.batchWriteItem(r -> r.requestItems(Map.of(mirrorTable(), List.of(WriteRequest.builder()
                .putRequest(PutRequest.builder().item(viaBatch).build()).build()))));

        assertThat(indexPks(tenant)).isEmpty();
        assertThat(scannedPks(tenant)).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(indexPks(tenant)).containsExactly(viaTransaction.get("pk").s(), viaBatch.get("pk").s());
        assertThat(scannedPks(tenant)).containsExactlyInAnyOrder(viaTransaction.get("pk").s(), viaBatch.get("pk").s());
    }

    // ---- background faults --------------------------------------------------------------------------------------

    @Test
    void randomFaults_hitOnlyTheChosenServices_atAboutTheirRate_withTheChosenKinds() {
        AwsFaults.plan().seed(7).failRandomly(Set.of(Service.S3), 1.0, Kind.SERVER_ERROR);
        assertThatThrownBy(() -> s3.headBucket(r -> r.bucket(aws.filesBucket()).overrideConfiguration(noRetries())))
                .isInstanceOf(S3Exception.class);
        dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key("faults#random")).overrideConfiguration(noRetries()));
        assertThat(AwsFaults.plan().injected().all()).singleElement()
                .satisfies(i -> assertThat(i.random()).isTrue())
                .satisfies(i -> assertThat(i.service()).isEqualTo(Service.S3));

        AwsFaults.plan().clear();
        AwsFaults.plan().seed(7).failRandomly(Set.of(Service.DYNAMODB), 0.25, Kind.THROTTLING, Kind.SERVER_ERROR);
        int failed = 0;
        for (int i = 0; i < 200; i++) {
            try {
                dynamo.getItem(r -> r.tableName(idempotencyTable()).key(key("faults#random")).overrideConfiguration(noRetries()));
            } catch (ProvisionedThroughputExceededException | InternalServerErrorException expected) {
                failed++;
            }
        }
        assertThat(failed).isBetween(25, 80).isEqualTo(AwsFaults.plan().injected().total());
        assertThat(AwsFaults.plan().injected().count("THROTTLING")).isPositive();
        assertThat(AwsFaults.plan().injected().count("SERVER_ERROR")).isPositive();
    }

    // ---- through the product --------------------------------------------------------------------------------

    @Test
    void eventPublisher_deliversOnceDespiteAThrottledSendMessageBatch_thanksToTheSdkRetry() {
        String events = aws.queueUrl("EventsQueue");
        String tenant = "faults-" + UUID.randomUUID();
        drainEvents(tenant);
        AwsFaults.plan().failNext(Service.SQS, "SendMessageBatch", events, 1, Kind.THROTTLING);
        OutboundEvent event = event(tenant);

        publisher.publish(event);

        assertThat(AwsFaults.plan().injected().count(Service.SQS, "SendMessageBatch", events)).isEqualTo(1);
        assertThat(AwsFaults.plan().attempts(Service.SQS, "SendMessageBatch", events)).isEqualTo(2);
        assertThat(drainEvents(tenant)).extracting(e -> e.path("eventId").asText()).containsExactly(event.eventId());
    }

    @Test
    void eventPublisher_sendsTwice_whenSqsAcceptedTheBatchButItsAnswerWasLost() {
        String events = aws.queueUrl("EventsQueue");
        String tenant = "faults-" + UUID.randomUUID();
        drainEvents(tenant);
        AwsFaults.plan().failNextAfterApplying(Service.SQS, "SendMessageBatch", events, 1, Kind.TIMEOUT);
        OutboundEvent event = event(tenant);

        publisher.publish(event);

        // at-least-once, as on AWS: the SDK's retry sends the accepted batch again; consumers drop duplicates by eventId
        assertThat(drainEvents(tenant)).extracting(e -> e.path("eventId").asText()).containsExactly(event.eventId(), event.eventId());
    }

    @Test
    void idempotencyStore_beginsDespiteAThrottledUpdate_thanksToTheSdkRetry() {
        String tenant = "faults-" + UUID.randomUUID();
        AwsFaults.plan().failNext(Service.DYNAMODB, "UpdateItem", idempotencyTable(), 1, Kind.THROTTLING);

        IdempotencyStore.Begin begin = idempotency.begin(tenant, "command-1", "hash", Instant.now(), Duration.ofMinutes(5), Duration.ofDays(1));

        assertThat(begin).isInstanceOf(IdempotencyStore.Started.class);
        assertThat(AwsFaults.plan().attempts(Service.DYNAMODB, "UpdateItem", idempotencyTable())).isEqualTo(2);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** The call's first attempt is its last: the fault reaches the caller as the SDK surfaces it, without the backoff. */
    private static Consumer<AwsRequestOverrideConfiguration.Builder> noRetries() {
        SdkPlugin plugin = config -> config.overrideConfiguration(config.overrideConfiguration().toBuilder()
                .retryStrategy(AwsRetryStrategy.doNotRetry()).build());
        return o -> o.addPlugin(plugin);
    }

    private static void assertServiceError(Throwable thrown, Class<? extends AwsServiceException> type, int status, String code,
                                           boolean throttling) {
        assertThat(thrown).isInstanceOf(type);
        AwsServiceException e = (AwsServiceException) thrown;
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        assertThat(e.awsErrorDetails().sdkHttpResponse().statusCode()).isEqualTo(status);
        assertThat(e.requestId()).isNotBlank();
        assertThat(e.isThrottlingException()).isEqualTo(throttling);
    }

    private static void assertIoFailure(Throwable thrown, Class<? extends Exception> cause, String message) {
        assertThat(thrown).isExactlyInstanceOf(SdkClientException.class)
                .hasMessageStartingWith("Unable to execute HTTP request: " + message)
                .cause().isExactlyInstanceOf(cause).hasMessage(message);
    }

    private String idempotencyTable() {
        return aws.tableName("IdempotencyTable");
    }

    private String mirrorTable() {
        return aws.tableName("MirrorTable");
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS("RECORD"));
    }

    private static Map<String, AttributeValue> mirrorItem(String tenant, String id, String seenPass) {
        return Map.of("pk", AttributeValue.fromS(MirrorStore.partitionKey(tenant, "CANDIDATE", id)),
                "sk", AttributeValue.fromS(MirrorStore.ITEM),
                "tenantType", AttributeValue.fromS(MirrorStore.tenantType(tenant, "CANDIDATE")),
                "entityId", AttributeValue.fromS(id),
                "seenPass", AttributeValue.fromS(seenPass));
    }

    private static Map<String, AttributeValue> mirrorKey(Map<String, AttributeValue> item) {
        return Map.of("pk", item.get("pk"), "sk", item.get("sk"));
    }

    private List<Map<String, AttributeValue>> indexItems(String tenant, Consumer<QueryRequest.Builder> shape) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.queryPaginator(r -> {
            r.tableName(mirrorTable()).indexName(MirrorStore.BY_TENANT_TYPE).keyConditionExpression("tenantType = :tt")
                    .expressionAttributeValues(Map.of(":tt", AttributeValue.fromS(MirrorStore.tenantType(tenant, "CANDIDATE"))));
            shape.accept(r);
        }).items().forEach(items::add);
        return items;
    }

    private List<String> indexPks(String tenant) {
        return indexItems(tenant, q -> { }).stream().map(i -> i.get("pk").s()).toList();
    }

    private List<String> scannedPks(String tenant) {
        List<String> pks = new ArrayList<>();
        dynamo.scanPaginator(r -> r.tableName(mirrorTable()).indexName(MirrorStore.BY_TENANT_TYPE)).items().stream()
                .filter(i -> i.get("tenantType").s().equals(MirrorStore.tenantType(tenant, "CANDIDATE")))
                .forEach(i -> pks.add(i.get("pk").s()));
        return pks;
    }

    private Map<String, String> presence(String tenant) {
        Map<String, String> seen = new HashMap<>();
        mirror.forEachPresence(tenant, "CANDIDATE", p -> seen.put(p.entityId(), p.seenPass()));
        return seen;
    }

    private static OutboundEvent event(String tenant) {
        return OutboundEvent.of(null, "application.deleted", tenant, "application", "app-1", null,
                JSON.createObjectNode().put("applicationId", "app-1").put("candidateId", "cand-1"));
    }

    /** This tenant's events on the events queue (every message is taken off it). */
    private List<JsonNode> drainEvents(String tenant) {
        String queue = aws.queueUrl("EventsQueue");
        List<JsonNode> events = new ArrayList<>();
        while (true) {
            List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .visibilityTimeout(300)).messages();
            if (messages.isEmpty()) return events;
            for (Message message : messages) {
                try {
                    JsonNode event = JSON.readTree(message.body());
                    if (event.path("tenantId").asText().equals(tenant)) events.add(event);
                } catch (java.io.IOException e) {
                    throw new AssertionError("not JSON: " + message.body(), e);
                }
                aws.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(message.receiptHandle()));
            }
        }
    }
}
