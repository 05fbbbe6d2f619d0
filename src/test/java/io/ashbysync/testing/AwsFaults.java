package io.ashbysync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.ThrottlingException;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Request;
import software.amazon.awssdk.services.sqs.model.RequestThrottledException;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.SqsRequest;

/**
 * A harsher local AWS: faults that moto and ElasticMQ never produce, injected into the product's own DynamoDB, SQS
 * and S3 clients in the tests (registered after {@link AwsLimits} in
 * src/test/resources/META-INF/microprofile-config.properties). Everything is off until a test turns it on through
 * the static {@link #plan()}, and tests that do call {@code AwsFaults.plan().clear()} in {@code @AfterEach}.
 *
 * <pre>{@code
 * AwsFaults.plan().failNext(Service.SQS, "SendMessageBatch", aws.queueUrl("EventsQueue"), 1, Kind.THROTTLING);
 * AwsFaults.plan().cancelNextTransactions(aws.tableName("MirrorTable"), 1);
 * AwsFaults.plan().clock(clock).lagIndexes(Duration.ofSeconds(2));
 * }</pre>
 *
 * <p><b>Per attempt.</b> A planned fault hits one <em>attempt</em>, as on AWS: it is raised in
 * {@code beforeTransmission}, which the SDK runs inside its retry loop, so the client's own retries consume it
 * ({@code failNext(..., 1, THROTTLING)} is absorbed by the SDK's retry and the caller never sees it;
 * {@link Plan#failNextCalls} fails every attempt of whole calls instead). Service errors are thrown as the exception
 * the SDK unmarshals from AWS's answer (type, HTTP status, error code, request id); {@code TIMEOUT} and
 * {@code CONNECTION_RESET} throw the {@link IOException} the HTTP client throws ({@link SocketTimeoutException} "Read
 * timed out", {@link SocketException} "Connection reset"), which the SDK wraps in an {@code SdkClientException}
 * ("Unable to execute HTTP request: ...") and retries, exactly as for a real one. A fault "after applying" is raised in
 * {@code afterTransmission}: the request reached moto or ElasticMQ and was applied, only its answer is lost.
 *
 * <p><b>Call sites.</b> With {@link Plan#recordCallSites}, the layer notes where the product made each call: the
 * operation, its targets and the product's own stack frames ({@link CallSite}). A fault-matrix test records a fault-free
 * run, then aims a fault at each site it saw ({@link Plan#failNextCallsAt},
 * {@link Plan#failNextAfterApplyingAt}, {@link Plan#cancelNextTransactionsAt}).
 *
 * <p><b>Lagging indexes.</b> With {@link Plan#lagIndexes}, a Query or Scan naming a global secondary index is answered
 * as the index stood {@code lag} ago (by the plan's clock), from the writes the product's clients made since lag was
 * turned on: see {@link AwsFaultsIndexLag} for what is and is not modelled.
 */
public final class AwsFaults implements ExecutionInterceptor {

    public enum Service { DYNAMODB, SQS, S3 }

    /** What a failed attempt looks like; see {@link #exception} for each service's exact error. */
    public enum Kind { THROTTLING, SERVER_ERROR, TIMEOUT, CONNECTION_RESET, CALL_TIMEOUT }

    /** One fault the layer raised. {@code fault} is a {@link Kind} name, or {@code TransactionCanceled:<reason>}. */
    public record Injection(Service service, String operation, List<String> targets, String fault,
                            boolean afterApplying, boolean random, Instant at) {}

    /**
     * One place in the product that calls AWS: the operation, its targets (tables, queue names, buckets) and
     * {@code code}, the product's frames on the stack at the call, innermost first ({@code "IdempotencyStore.begin:79 <
     * CommandProcessor.run:131 < ..."}), so two calls of one operation from different lines are different sites.
     */
    public record CallSite(Service service, String operation, List<String> targets, String code) {
        /** Whether the call changes state (a lost answer then means it was applied). */
        public boolean writes() {
            return !(operation.startsWith("Get") || operation.startsWith("BatchGet") || operation.startsWith("Query")
                    || operation.startsWith("Scan") || operation.startsWith("TransactGet") || operation.startsWith("Receive")
                    || operation.startsWith("List") || operation.startsWith("Head") || operation.startsWith("Describe"));
        }

        @Override
        public String toString() {
            return service + " " + operation + " " + targets + " at " + code;
        }
    }

    /** What was injected so far, for assertions. */
    public record Injections(List<Injection> all) {
        /** Faults on {@code operation} (null: any) of {@code target} (a table, queue name or URL, bucket; null: any). */
        public long count(Service service, String operation, String target) {
            String name = targetName(target);
            return all.stream().filter(i -> i.service() == service
                    && (operation == null || operation.equals(i.operation()))
                    && (name == null || i.targets().contains(name))).count();
        }

        public long count(String fault) {
            return all.stream().filter(i -> i.fault().equals(fault)).count();
        }

        public int total() {
            return all.size();
        }
    }

    private static final Plan PLAN = new Plan();

    /** The one plan every client of this JVM follows. */
    public static Plan plan() {
        return PLAN;
    }

    // ---- the interceptor ------------------------------------------------------------------------------------------

    // The SDK refuses two attributes of one name; each Quarkus application start loads this class again.
    private static final String LOAD = UUID.randomUUID().toString();
    private static final ExecutionAttribute<Boolean> DOOMED_CHECKED = new ExecutionAttribute<>("AwsFaults.doomedChecked." + LOAD);
    private static final ExecutionAttribute<Kind> DOOMED = new ExecutionAttribute<>("AwsFaults.doomed." + LOAD);
    private static final ExecutionAttribute<AwsFaultsIndexLag.Capture> CAPTURE = new ExecutionAttribute<>("AwsFaults.capture." + LOAD);
    private static final ExecutionAttribute<AwsFaultsIndexLag.IndexRead> INDEX_READ = new ExecutionAttribute<>("AwsFaults.indexRead." + LOAD);
    private static final ExecutionAttribute<Boolean> APPLIED = new ExecutionAttribute<>("AwsFaults.applied." + LOAD);
    private static final ExecutionAttribute<String> CODE = new ExecutionAttribute<>("AwsFaults.code." + LOAD);

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (!(request instanceof QueryRequest || request instanceof ScanRequest) || PLAN.lag().isZero()) return request;
        AwsFaultsIndexLag.Endpoint endpoint = endpoint(attributes);
        if (endpoint == null) return request;
        AwsFaultsIndexLag.IndexRead read = PLAN.indexLag.prepare(endpoint, request);
        if (read == null) return request;
        attributes.putAttribute(INDEX_READ, read);
        return read.request();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Call call = located(call(context.request(), attributes), attributes);
        if (call == null) return;
        PLAN.attempted(call);
        if (!Boolean.TRUE.equals(attributes.getAttribute(DOOMED_CHECKED))) {
            attributes.putAttribute(DOOMED_CHECKED, true);
            Kind doomed = PLAN.doomCall(call);
            if (doomed != null) attributes.putAttribute(DOOMED, doomed);
        }
        Kind doomed = attributes.getAttribute(DOOMED);
        Throwable fault = doomed != null ? PLAN.raise(call, doomed, false, false) : PLAN.faultBeforeSending(call, context.request());
        if (fault != null) throw sneaky(fault);
        if (call.service() == Service.DYNAMODB && !PLAN.lag().isZero() && attributes.getAttribute(CAPTURE) == null) {
            // the state before the write, read once per call: a retry after a lost answer would read the write itself
            AwsFaultsIndexLag.Endpoint endpoint = endpoint(attributes);
            if (endpoint != null) {
                AwsFaultsIndexLag.Capture capture = PLAN.indexLag.capture(endpoint, context.request());
                if (capture != null) attributes.putAttribute(CAPTURE, capture);
            }
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        Call call = located(call(context.request(), attributes), attributes);
        if (call == null) return;
        Throwable fault = PLAN.faultAfterApplying(call);
        if (fault == null) return;
        attributes.putAttribute(APPLIED, true);
        context.responseBody().ifPresent(AwsFaults::closeQuietly);
        throw sneaky(fault);
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        AwsFaultsIndexLag.IndexRead read = attributes.getAttribute(INDEX_READ);
        if (read == null) return context.response();
        Instant now = PLAN.now();
        return switch (context.response()) {
            case QueryResponse query -> PLAN.indexLag.answer(read, (QueryRequest) context.request(), query, now, PLAN.lag());
            case ScanResponse scan -> PLAN.indexLag.answer(read, (ScanRequest) context.request(), scan, now, PLAN.lag());
            default -> context.response();
        };
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        AwsFaultsIndexLag.Capture capture = attributes.getAttribute(CAPTURE);
        if (capture != null) PLAN.indexLag.commit(capture, context.response(), PLAN.now());
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        // a write whose every answer was lost still happened
        AwsFaultsIndexLag.Capture capture = attributes.getAttribute(CAPTURE);
        if (capture != null && Boolean.TRUE.equals(attributes.getAttribute(APPLIED))) PLAN.indexLag.commit(capture, null, PLAN.now());
    }

    /**
     * The service, operation and targets (tables, queue names, buckets) of a request to one of the three services;
     * {@code code} (the product frames of {@link CallSite#code}) only while the plan records or aims at call sites.
     */
    record Call(Service service, String operation, List<String> targets, String code) {}

    static Call call(SdkRequest request, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        return switch (request) {
            case DynamoDbRequest dynamo -> new Call(Service.DYNAMODB, operation, tables(dynamo), null);
            case SqsRequest sqs -> new Call(Service.SQS, operation,
                    sqs.getValueForField("QueueUrl", String.class).map(AwsFaults::targetName).stream().toList(), null);
            case S3Request s3 -> new Call(Service.S3, operation, s3.getValueForField("Bucket", String.class).stream().toList(), null);
            default -> null;
        };
    }

    /** The call with its product frames, walked once per call (the SDK's attempts share them) and only when needed. */
    private static Call located(Call call, ExecutionAttributes attributes) {
        if (call == null || !PLAN.needsCode()) return call;
        String code = attributes.getAttribute(CODE);
        if (code == null) {
            code = productFrames();
            attributes.putAttribute(CODE, code);
        }
        return new Call(call.service(), call.operation(), call.targets(), code);
    }

    /**
     * The product's frames on this thread's stack (the sync clients call the interceptor on the caller's thread):
     * classes of io.ashbysync compiled from src/main, not CDI proxies, not tests or this layer. The Ashby client's
     * request budget leases permits whenever its block runs out, so for its calls only its own frames count: which Ashby
     * call happened to need the lease is timing, not a different site.
     */
    private static String productFrames() {
        List<StackWalker.StackFrame> frames = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(stack -> stack.filter(f -> isProductClass(f.getDeclaringClass())).toList());
        boolean budget = !frames.isEmpty() && frames.getFirst().getClassName().startsWith(BUDGET_PACKAGE);
        return frames.stream().takeWhile(f -> !budget || f.getClassName().startsWith(BUDGET_PACKAGE))
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber())
                .collect(java.util.stream.Collectors.joining(" < "));
    }

    private static final String BUDGET_PACKAGE = "io.ashbysync.ashby.budget.";

    private static final ClassValue<Boolean> PRODUCT_CLASS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (!type.getName().startsWith("io.ashbysync.") || type.getName().contains("_") || type.isSynthetic()) return false;
            Class<?> outer = type;
            while (outer.getEnclosingClass() != null) outer = outer.getEnclosingClass();
            var file = outer.getClassLoader() == null ? null : outer.getClassLoader().getResource(outer.getName().replace('.', '/') + ".class");
            return file != null && !file.toString().contains("test-classes");
        }
    };

    private static boolean isProductClass(Class<?> type) {
        return PRODUCT_CLASS.get(type);
    }

    private static List<String> tables(DynamoDbRequest request) {
        Set<String> tables = new LinkedHashSet<>();
        switch (request) {
            case TransactWriteItemsRequest transaction -> transaction.transactItems().forEach(a -> tables.add(AwsFaultsIndexLag.table(a)));
            case TransactGetItemsRequest transaction -> transaction.transactItems().stream().map(TransactGetItem::get)
                    .forEach(g -> tables.add(g.tableName()));
            case BatchWriteItemRequest batch -> tables.addAll(batch.requestItems().keySet());
            case BatchGetItemRequest batch -> tables.addAll(batch.requestItems().keySet());
            default -> request.getValueForField("TableName", String.class).ifPresent(tables::add);
        }
        return List.copyOf(tables);
    }

    /** A queue URL names its queue by its last path segment; tables and buckets are names already. */
    static String targetName(String target) {
        if (target == null) return null;
        int slash = target.lastIndexOf('/');
        return slash >= 0 ? target.substring(slash + 1) : target;
    }

    private static AwsFaultsIndexLag.Endpoint endpoint(ExecutionAttributes attributes) {
        URI uri = attributes.getAttribute(SdkExecutionAttribute.CLIENT_ENDPOINT);
        Region region = attributes.getAttribute(AwsExecutionAttribute.AWS_REGION);
        return uri == null ? null : new AwsFaultsIndexLag.Endpoint(uri, region == null ? Region.of(LocalAws.REGION) : region);
    }

    // ---- the errors AWS sends -------------------------------------------------------------------------------------

    private static final Set<String> DYNAMODB_DATA_PLANE = Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
            "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement",
            "BatchExecuteStatement", "ExecuteTransaction");

    /**
     * The failure of one attempt of {@code operation}, as the SDK meets it:
     * <ul>
     *   <li>THROTTLING — DynamoDB item and query operations: {@code ProvisionedThroughputExceededException} (400, the
     *       message AWS gives an on-demand table); other DynamoDB operations: {@code ThrottlingException} (400); SQS:
     *       {@code RequestThrottledException} (400 {@code RequestThrottled}); S3: {@code S3Exception} 503
     *       {@code SlowDown}.</li>
     *   <li>SERVER_ERROR — DynamoDB: {@code InternalServerErrorException} (500 {@code InternalServerError}); SQS:
     *       {@code SqsException} 500 {@code InternalFailure}; S3: {@code S3Exception} 500 {@code InternalError}.</li>
     *   <li>TIMEOUT — {@code java.net.SocketTimeoutException: Read timed out}, what the URL-connection client throws
     *       when an attempt's read times out. The product sets no per-attempt timeout, so the SDK never raises
     *       {@code ApiCallAttemptTimeoutException} for it; a DynamoDB/SQS call that runs past its 8 s
     *       api-call-timeout ends with {@code ApiCallTimeoutException}, not retried, which the SDK itself raises when
     *       the attempts and backoffs take that long (DynamoDB throttled on every attempt: after 5 attempts).</li>
     *   <li>CONNECTION_RESET — {@code java.net.SocketException: Connection reset}.</li>
     *   <li>CALL_TIMEOUT — {@code ApiCallTimeoutException} of the 8 s api-call-timeout: how a call ends whose attempts
     *       and backoffs ran out of time. The SDK does not retry it, so it fails the call at once, as the caller would
     *       meet it after the SDK's retries (without waiting for them).</li>
     * </ul>
     */
    static Throwable exception(Service service, String operation, Kind kind) {
        String requestId = UUID.randomUUID().toString();
        return switch (kind) {
            case TIMEOUT -> new SocketTimeoutException("Read timed out");
            case CONNECTION_RESET -> new SocketException("Connection reset");
            case CALL_TIMEOUT -> ApiCallTimeoutException.create(8_000);
            case THROTTLING -> switch (service) {
                case DYNAMODB -> DYNAMODB_DATA_PLANE.contains(operation)
                        ? error(ProvisionedThroughputExceededException.builder(), 400, "ProvisionedThroughputExceededException",
                                "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling "
                                        + "your table or index so please try again shortly. If exceptions persist, check if you have a hot key: "
                                        + "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
                                "DynamoDb", requestId)
                        : error(ThrottlingException.builder(), 400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.",
                                "DynamoDb", requestId);
                case SQS -> error(RequestThrottledException.builder(), 400, "RequestThrottled",
                        "The request was denied due to request throttling.", "Sqs", requestId);
                case S3 -> error(S3Exception.builder(), 503, "SlowDown", "Please reduce your request rate.", "S3", requestId);
            };
            case SERVER_ERROR -> switch (service) {
                case DYNAMODB -> error(InternalServerErrorException.builder(), 500, "InternalServerError", "Internal server error",
                        "DynamoDb", requestId);
                case SQS -> error(SqsException.builder(), 500, "InternalFailure",
                        "The request processing has failed because of an unknown error, exception or failure.", "Sqs", requestId);
                case S3 -> error(S3Exception.builder(), 500, "InternalError", "We encountered an internal error. Please try again.",
                        "S3", requestId);
            };
        };
    }

    private static AwsServiceException error(AwsServiceException.Builder builder, int status, String code, String message,
                                             String serviceName, String requestId) {
        SdkHttpResponse http = SdkHttpResponse.builder().statusCode(status)
                .putHeader(serviceName.equals("S3") ? "x-amz-request-id" : "x-amzn-RequestId", requestId).build();
        return builder.statusCode(status).requestId(requestId).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName(serviceName)
                        .sdkHttpResponse(http).build())
                .build();
    }

    /**
     * DynamoDB's answer to a transaction it cancels: one reason per action in order, {@code reason} for the action on
     * {@code table} (the first action when null or not found), {@code None} for the others.
     */
    static TransactionCanceledException cancellation(TransactWriteItemsRequest transaction, String table, String reason) {
        List<TransactWriteItem> actions = transaction.transactItems();
        int hit = 0;
        if (table != null) {
            for (int i = 0; i < actions.size(); i++) {
                if (table.equals(AwsFaultsIndexLag.table(actions.get(i)))) {
                    hit = i;
                    break;
                }
            }
        }
        List<CancellationReason> reasons = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            if (i == hit) {
                reasons.add(CancellationReason.builder().code(reason).message(switch (reason) {
                    case "TransactionConflict" -> "Transaction is ongoing for the item";
                    case "ThrottlingError" -> "Throughput exceeds the current capacity of your table or index.";
                    default -> null;
                }).build());
            } else {
                reasons.add(CancellationReason.builder().code("None").build());
            }
            codes.add(reasons.getLast().code());
        }
        String message = "Transaction cancelled, please refer cancellation reasons for specific reasons " + codes;
        String requestId = UUID.randomUUID().toString();
        return (TransactionCanceledException) TransactionCanceledException.builder().cancellationReasons(reasons)
                .statusCode(400).requestId(requestId).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("TransactionCanceledException").errorMessage(message)
                        .serviceName("DynamoDb")
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(400).putHeader("x-amzn-RequestId", requestId).build())
                        .build())
                .build();
    }

    /** Throws a checked exception (the HTTP client's IOException) from an interceptor hook that declares none. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable fault) throws E {
        throw (E) fault;
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the answer is being thrown away
        }
    }

    // ---- the plan -------------------------------------------------------------------------------------------------

    /** Faults tests program; thread-safe. Every method returns the plan, for chaining. */
    public static final class Plan {
        private record Rule(Service service, String operation, String target, String code, Kind kind, boolean afterApplying,
                            boolean wholeCalls, AtomicLong remaining) {
            boolean matches(Call call) {
                return service == call.service() && (operation == null || operation.equals(call.operation()))
                        && (target == null || call.targets().contains(target)) && (code == null || code.equals(call.code()));
            }
        }

        private record Cancellation(String table, String code, String reason, AtomicLong remaining) {
            boolean matches(Call call) {
                return (table == null || call.targets().contains(table)) && (code == null || code.equals(call.code()));
            }
        }

        private record RandomFaults(Set<Service> services, double rate, List<Kind> kinds) {}

        private record AttemptKey(Service service, String operation, String target) {}

        private final List<Rule> rules = new ArrayList<>();
        private final List<Cancellation> cancellations = new ArrayList<>();
        private final List<Injection> injections = new ArrayList<>();
        private final Map<AttemptKey, Long> attempts = new HashMap<>();
        private final Set<CallSite> sites = new LinkedHashSet<>();
        private volatile boolean recordingSites;
        private volatile boolean aimedAtSites;
        private RandomFaults random;
        private Random rng = new Random(19);
        private volatile Duration lag = Duration.ZERO;
        private volatile Clock clock = Clock.systemUTC();
        final AwsFaultsIndexLag indexLag = new AwsFaultsIndexLag();

        private Plan() {}

        /**
         * The next {@code attempts} attempts of {@code operation} (the SDK's name: "PutItem", "SendMessageBatch",
         * "PutObject"; null: any) on {@code target} (a table, a queue name or URL, a bucket; null: any) of
         * {@code service} fail with {@code kind} before they are sent. The SDK's retries are attempts: they consume
         * the fault as they would on AWS.
         */
        public synchronized Plan failNext(Service service, String operation, String target, int attempts, Kind kind) {
            rules.add(new Rule(service, operation, targetName(target), null, Objects.requireNonNull(kind), false, false, new AtomicLong(attempts)));
            return this;
        }

        /** Every attempt of the next {@code calls} calls fails (before it is sent), so the caller meets the fault after the SDK's retries. */
        public synchronized Plan failNextCalls(Service service, String operation, String target, int calls, Kind kind) {
            rules.add(new Rule(service, operation, targetName(target), null, Objects.requireNonNull(kind), false, true, new AtomicLong(calls)));
            return this;
        }

        /** {@link #failNextCalls(Service, String, String, int, Kind)} for the calls made at {@code site} only. */
        public synchronized Plan failNextCallsAt(CallSite site, int calls, Kind kind) {
            aimedAtSites = true;
            rules.add(new Rule(site.service(), site.operation(), null, site.code(), Objects.requireNonNull(kind), false, true, new AtomicLong(calls)));
            return this;
        }

        /**
         * The next {@code attempts} attempts are sent and applied, and their answer is lost: TIMEOUT and
         * CONNECTION_RESET as the socket fails while reading the answer, SERVER_ERROR as a 500 that DynamoDB and S3
         * document as "the request may have succeeded". The SDK retries, so the request is applied again.
         */
        public synchronized Plan failNextAfterApplying(Service service, String operation, String target, int attempts, Kind kind) {
            if (kind == Kind.THROTTLING) throw new IllegalArgumentException("a throttled request is not applied");
            rules.add(new Rule(service, operation, targetName(target), null, kind, true, false, new AtomicLong(attempts)));
            return this;
        }

        /** {@link #failNextAfterApplying(Service, String, String, int, Kind)} for the calls made at {@code site} only. */
        public synchronized Plan failNextAfterApplyingAt(CallSite site, int attempts, Kind kind) {
            if (kind == Kind.THROTTLING) throw new IllegalArgumentException("a throttled request is not applied");
            aimedAtSites = true;
            rules.add(new Rule(site.service(), site.operation(), null, site.code(), kind, true, false, new AtomicLong(attempts)));
            return this;
        }

        /** The next {@code transactions} TransactWriteItems on {@code table} (null: any) are cancelled with {@code TransactionConflict}. */
        public Plan cancelNextTransactions(String table, int transactions) {
            return cancelNextTransactions(table, transactions, "TransactionConflict");
        }

        /** As {@link #cancelNextTransactions(String, int)} with another reason, e.g. {@code ThrottlingError}. */
        public synchronized Plan cancelNextTransactions(String table, int transactions, String reason) {
            cancellations.add(new Cancellation(table, null, Objects.requireNonNull(reason), new AtomicLong(transactions)));
            return this;
        }

        /** The next {@code transactions} TransactWriteItems made at {@code site} are cancelled with {@code TransactionConflict}. */
        public synchronized Plan cancelNextTransactionsAt(CallSite site, int transactions) {
            if (!site.operation().equals("TransactWriteItems")) throw new IllegalArgumentException(site + " is not a transaction");
            aimedAtSites = true;
            cancellations.add(new Cancellation(null, site.code(), "TransactionConflict", new AtomicLong(transactions)));
            return this;
        }

        /** From now until {@link #clear}, notes every {@link CallSite} the product's clients call AWS from. */
        public Plan recordCallSites() {
            recordingSites = true;
            return this;
        }

        /** The sites recorded since {@link #recordCallSites}, in the order they were first called. */
        public synchronized List<CallSite> callSites() {
            return List.copyOf(sites);
        }

        /** Global secondary indexes answer as they stood {@code lag} ago (by {@link #clock}); zero turns it off. */
        public Plan lagIndexes(Duration lag) {
            if (lag.isNegative()) throw new IllegalArgumentException("negative lag " + lag);
            this.lag = lag;
            return this;
        }

        /** The clock the index lag is measured by (system UTC until a test sets one it moves). */
        public Plan clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Background faults: each attempt on DynamoDB, SQS and S3 fails with probability {@code rate}, with one of {@code kinds}. */
        public Plan failRandomly(double rate, Kind... kinds) {
            return failRandomly(EnumSet.allOf(Service.class), rate, kinds);
        }

        public synchronized Plan failRandomly(Set<Service> services, double rate, Kind... kinds) {
            if (rate < 0 || rate > 1) throw new IllegalArgumentException("rate " + rate + " is not a probability");
            if (kinds.length == 0) throw new IllegalArgumentException("no kind of fault");
            random = rate == 0 ? null : new RandomFaults(Set.copyOf(services), rate, List.of(kinds));
            return this;
        }

        /** Seeds the random faults (a single thread's sequence of faults is then repeatable). */
        public synchronized Plan seed(long seed) {
            rng = new Random(seed);
            return this;
        }

        public synchronized Injections injected() {
            return new Injections(List.copyOf(injections));
        }

        /**
         * Attempts the product's clients made since the last {@link #clear} (faulted or not), on {@code operation}
         * (null: any) of {@code target} (null: any; a request naming several tables counts once for each).
         */
        public synchronized long attempts(Service service, String operation, String target) {
            String name = targetName(target);
            return attempts.entrySet().stream().filter(e -> e.getKey().service() == service
                            && (operation == null || operation.equals(e.getKey().operation()))
                            && (name == null || name.equals(e.getKey().target())))
                    .mapToLong(Map.Entry::getValue).sum();
        }

        /** Everything off, records emptied, the system clock back. */
        public synchronized void clear() {
            rules.clear();
            cancellations.clear();
            injections.clear();
            attempts.clear();
            sites.clear();
            recordingSites = false;
            aimedAtSites = false;
            random = null;
            rng = new Random(19);
            lag = Duration.ZERO;
            clock = Clock.systemUTC();
            indexLag.clear();
        }

        Duration lag() {
            return lag;
        }

        Instant now() {
            return clock.instant();
        }

        boolean needsCode() {
            return recordingSites || aimedAtSites;
        }

        synchronized void attempted(Call call) {
            if (recordingSites) sites.add(new CallSite(call.service(), call.operation(), call.targets(), call.code()));
            if (call.targets().isEmpty()) {
                attempts.merge(new AttemptKey(call.service(), call.operation(), ""), 1L, Long::sum);
            }
            for (String target : call.targets()) {
                attempts.merge(new AttemptKey(call.service(), call.operation(), target), 1L, Long::sum);
            }
        }

        /** The kind every attempt of this call fails with, if a whole-call rule takes it. */
        synchronized Kind doomCall(Call call) {
            for (Rule rule : rules) {
                if (rule.wholeCalls() && rule.remaining().get() > 0 && rule.matches(call)) {
                    rule.remaining().decrementAndGet();
                    return rule.kind();
                }
            }
            return null;
        }

        synchronized Throwable faultBeforeSending(Call call, SdkRequest request) {
            for (Rule rule : rules) {
                if (!rule.wholeCalls() && !rule.afterApplying() && rule.remaining().get() > 0 && rule.matches(call)) {
                    rule.remaining().decrementAndGet();
                    return raise(call, rule.kind(), false, false);
                }
            }
            if (request instanceof TransactWriteItemsRequest transaction) {
                for (Cancellation cancellation : cancellations) {
                    if (cancellation.remaining().get() > 0 && cancellation.matches(call)) {
                        cancellation.remaining().decrementAndGet();
                        injections.add(new Injection(call.service(), call.operation(), call.targets(),
                                "TransactionCanceled:" + cancellation.reason(), false, false, now()));
                        return cancellation(transaction, cancellation.table(), cancellation.reason());
                    }
                }
            }
            if (random != null && random.services().contains(call.service()) && rng.nextDouble() < random.rate()) {
                return raise(call, random.kinds().get(rng.nextInt(random.kinds().size())), false, true);
            }
            return null;
        }

        synchronized Throwable faultAfterApplying(Call call) {
            for (Rule rule : rules) {
                if (rule.afterApplying() && rule.remaining().get() > 0 && rule.matches(call)) {
                    rule.remaining().decrementAndGet();
                    return raise(call, rule.kind(), true, false);
                }
            }
            return null;
        }

        synchronized Throwable raise(Call call, Kind kind, boolean afterApplying, boolean random) {
            injections.add(new Injection(call.service(), call.operation(), call.targets(), kind.name(), afterApplying, random, now()));
            return exception(call.service(), call.operation(), kind);
        }

        @Override
        public synchronized String toString() {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("rules", rules);
            state.put("cancellations", cancellations);
            state.put("random", random);
            state.put("lag", lag);
            state.put("injected", injections.size());
            return "AwsFaults.Plan" + state;
        }
    }
}
