package io.ashbysync.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ashbysync.command.CommandProcessor;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The dev stack's Lambda Runtime API emulator, driven by a fake function that speaks the protocol the way Lambda's
 * runtime clients do (next, then response or error), so it needs no packaged jar; and Findem's events consumer, fed
 * by the product's own publisher through ElasticMQ.
 */
class DevStackTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalLambdaRuntime runtime;

    @BeforeEach
    void startRuntime() {
        runtime = LocalLambdaRuntime.start("commands", "arn:aws:lambda:us-east-1:000000000000:function:test-commands");
    }

    @AfterEach
    void stopRuntime() {
        runtime.close();
    }

    @Test
    void nextHandsOutTheQueuedEventWithRequestIdDeadlineAndArnAndTheResponseCompletesTheInvocation() throws Exception {
        CompletableFuture<HttpResponse<String>> next = next();
        runtime.ready().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(next).as("next blocks while nothing is queued").isNotDone();

        long before = System.currentTimeMillis();
        CompletableFuture<LocalLambdaRuntime.Result> invocation = runtime.invoke(bytes("{\"Records\":[]}"), Duration.ofSeconds(30));
        HttpResponse<String> event = next.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(event.statusCode()).isEqualTo(200);
        assertThat(event.body()).isEqualTo("{\"Records\":[]}");
        String requestId = event.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
        assertThat(event.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn")).hasValue("arn:aws:lambda:us-east-1:000000000000:function:test-commands");
        assertThat(Long.parseLong(event.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElseThrow()))
                .isBetween(before + 29_000, System.currentTimeMillis() + 30_000);
        assertThat(invocation).isNotDone();

        assertThat(post("/invocation/" + requestId + "/response", "{\"batchItemFailures\":[]}").statusCode()).isEqualTo(202);

        LocalLambdaRuntime.Result result = invocation.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(result.requestId()).isEqualTo(requestId);
        assertThat(result.outcome()).isInstanceOfSatisfying(LocalLambdaRuntime.Outcome.Succeeded.class,
                succeeded -> assertThat(succeeded.payloadText()).isEqualTo("{\"batchItemFailures\":[]}"));
    }

    @Test
    void anErrorPostedByTheFunctionFailsTheInvocationWithItsTypeAndMessage() throws Exception {
        CompletableFuture<LocalLambdaRuntime.Result> invocation = runtime.invoke(bytes("{}"), Duration.ofSeconds(30));
        String requestId = next().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();

        post("/invocation/" + requestId + "/error", "{\"errorType\":\"java.lang.IllegalStateException\",\"errorMessage\":\"boom\"}");

        assertThat(invocation.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).outcome())
                .isEqualTo(new LocalLambdaRuntime.Outcome.Failed("java.lang.IllegalStateException", "boom"));
    }

    @Test
    void anInvocationWithoutAnswerTimesOutAtItsDeadline() throws Exception {
        CompletableFuture<LocalLambdaRuntime.Result> invocation = runtime.invoke(bytes("{}"), Duration.ofMillis(300));
        next().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(invocation.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).outcome())
                .isEqualTo(new LocalLambdaRuntime.Outcome.TimedOut(Duration.ofMillis(300)));
    }

    @Test
    void invocationsAreHandedOutOneAtATimeInOrder() throws Exception {
        runtime.invoke(bytes("{\"n\":1}"), Duration.ofSeconds(30));
        runtime.invoke(bytes("{\"n\":2}"), Duration.ofSeconds(30));

        assertThat(next().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("{\"n\":1}");
        assertThat(next().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("{\"n\":2}");
    }

    @Test
    void anInitErrorIsReportedAndAnUnknownRequestIdIsRejected() throws Exception {
        post("/init/error", "{\"errorType\":\"java.lang.ExceptionInInitializerError\",\"errorMessage\":\"no handler\"}");

        assertThat(runtime.initError().get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .isEqualTo(new LocalLambdaRuntime.InitError("java.lang.ExceptionInInitializerError", "no handler"));
        assertThat(post("/invocation/not-a-request/response", "{}").statusCode()).isEqualTo(400);
    }

    @Test
    void theHttpApiMapsAFunctionResponseAndFunctionFailuresAsApiGatewayDoes() {
        io.ashbysync.testing.HttpApiEvents.Answer answer = HttpApiGateway.answer(new LocalLambdaRuntime.Outcome.Succeeded(bytes(
                "{\"statusCode\":401,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"{\\\"message\\\":\\\"invalid signature\\\"}\"}")));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.headers()).containsEntry("Content-Type", "application/json");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"invalid signature\"}");

        assertThat(HttpApiGateway.answer(new LocalLambdaRuntime.Outcome.Failed("x", "y")).status()).isEqualTo(500);
        assertThat(HttpApiGateway.answer(new LocalLambdaRuntime.Outcome.TimedOut(Duration.ofSeconds(10))).status()).isEqualTo(503);
    }

    @Test
    void findemsConsumerDeletesEachEventItReadsAndServesTheCommandResultByCommandId() throws Exception {
        SQSRestServer elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        try (SqsClient sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort()))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build()) {
            String queueUrl = sqs.createQueue(r -> r.queueName("events")).queueUrl();
            ObjectMapper mapper = new ObjectMapper().findAndRegisterModules();
            EventPublisher publisher = new EventPublisher(new io.ashbysync.platform.SqsSender(sqs), new DemoTenant.StackResources("t", "i", "p", "m", "c", "w", queueUrl, "/s"), mapper,
                    null); // these events are small: nothing is claim-checked
            try (FindemEvents events = FindemEvents.start(sqs, queueUrl)) {
                api.createContext(FindemEvents.PATH, events);
                api.start();
                Map<String, JsonNode> read = new ConcurrentHashMap<>();
                CompletableFuture<Void> bothRead = new CompletableFuture<>();
                events.addListener(event -> {
                    read.put(event.path("entityId").asText(), event);
                    if (read.size() == 2) {
                        bothRead.complete(null);
                    }
                });

                publisher.publish(List.of(
                        OutboundEvent.of("e-1", CommandProcessor.RESULT_EVENT, "demo", "command", "cmd-1", null,
                                mapper.createObjectNode().put("commandId", "cmd-1").put("status", "failed")),
                        OutboundEvent.of("e-2", CommandProcessor.RESULT_EVENT, "demo", "command", "cmd-2", null,
                                mapper.createObjectNode().put("commandId", "cmd-2").put("commandType", "candidate.export").put("status", "succeeded")
                                        .set("output", mapper.createObjectNode().put("candidateId", "c-9").put("candidateCreated", true)
                                                .set("tagIds", mapper.createObjectNode().put("Findem", "t-1"))))));
                bothRead.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

                assertThat(FindemEvents.describe(read.get("cmd-2"))).containsExactly("type", "command.result", "tenantId", "demo",
                        "entity", "command/cmd-2", "commandType", "candidate.export", "status", "succeeded", "candidateId", "c-9", "tagIds", "t-1");
                Map<QueueAttributeName, String> left = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
                assertThat(left).as("read events are deleted").containsOnlyKeys(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE).allSatisfy((name, count) -> assertThat(count).isEqualTo("0"));
                HttpResponse<String> served = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.getAddress().getPort()
                        + FindemEvents.PATH + "?commandId=cmd-2")).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(served.statusCode()).isEqualTo(200);
                JsonNode body = mapper.readTree(served.body());
                assertThat(body).hasSize(1);
                assertThat(body.get(0).path("eventId").asText()).isEqualTo("e-2");
                assertThat(body.get(0).path("data").path("output").path("candidateId").asText()).isEqualTo("c-9");
            }
        } finally {
            api.stop(0);
            elasticMq.stopAndWait();
        }
    }

    private CompletableFuture<HttpResponse<String>> next() {
        return http.sendAsync(HttpRequest.newBuilder(uri("/invocation/next")).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://" + runtime.address() + "/2018-06-01/runtime" + path);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
