package io.ashbysync.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dev stack's Lambda Runtime API emulator, driven by a fake function that speaks the protocol the way Lambda's
 * runtime clients do (next, then response or error), so it needs no packaged jar.
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
        HttpApiGateway.HttpAnswer answer = HttpApiGateway.answer(new LocalLambdaRuntime.Outcome.Succeeded(bytes(
                "{\"statusCode\":401,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"{\\\"message\\\":\\\"invalid signature\\\"}\"}")));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.headers()).containsEntry("Content-Type", "application/json");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"invalid signature\"}");

        assertThat(HttpApiGateway.answer(new LocalLambdaRuntime.Outcome.Failed("x", "y")).status()).isEqualTo(500);
        assertThat(HttpApiGateway.answer(new LocalLambdaRuntime.Outcome.TimedOut(Duration.ofSeconds(10))).status()).isEqualTo(503);
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
