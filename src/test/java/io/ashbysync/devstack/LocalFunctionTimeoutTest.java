package io.ashbysync.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The dev stack's Lambda kills an invocation at its function's timeout as Lambda does: the function's process dies
 * there, its SQS message comes back after the visibility timeout, and a new process (a cold start) completes it. The
 * function is {@link ResumableWorkFunction} in a child JVM behind the real {@link LocalFunction}, {@link LambdaJavaRuntime}
 * and {@link SqsEventSource} on ElasticMQ, so no packaged jar is needed.
 */
class LocalFunctionTimeoutTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REGION = "us-east-1";

    @TempDir
    Path directory;

    @Test
    void anInvocationPastItsTimeoutIsKilledThere_andItsRedeliveredMessageCompletesInAFreshProcess() throws Exception {
        Path store = directory.resolve("effects");
        SQSRestServer elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        try (SqsClient sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort()))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
             LocalFunction function = LocalFunction.start(new TemplateFunctions.Definition("WorkFunction", "work",
                             ResumableWorkFunction.class.getName() + "::handleRequest", Duration.ofSeconds(1), 128, Map.of(), List.of(), List.of()),
                     "test", REGION, lambdaCoreJar(), Map.of(), Map.of(ResumableWorkFunction.STORE, store.toString()), directory)) {
            String queueUrl = sqs.createQueue(r -> r.queueName("work").attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1"))).queueUrl();
            function.awaitStarted(WAIT);
            long firstPid = function.pid();
            BlockingQueue<Boolean> settled = new LinkedBlockingQueue<>();
            List<String> atTheKill;
            try (SqsEventSource source = SqsEventSource.start(sqs, queueUrl, REGION, function, 1, Duration.ZERO)) {
                source.addListener((message, deleted) -> settled.add(deleted));

                sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("fits 2 50"));
                assertThat(settled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("an invocation within its timeout is done").isTrue();
                assertThat(function.pid()).as("and its environment is kept").isEqualTo(firstPid);

                // four steps of 400 ms: the 1 s timeout passes during the third
                sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("overruns 4 400"));
                assertThat(settled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the timed-out batch stays in the queue").isFalse();
                atTheKill = lines(store);
                assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).as("its process was killed").isEmpty();
                assertThat(steps(atTheKill, "overruns")).as("the kill came mid-work").hasSizeLessThan(4);

                Boolean deleted = false;
                for (int delivery = 2; delivery <= 5 && !deleted; delivery++) {
                    deleted = settled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(deleted).as("redelivery %d", delivery).isNotNull();
                }
                assertThat(deleted).as("a later invocation completed it").isTrue();
            }
            List<String> end = lines(store);
            assertThat(steps(end, "overruns")).as("the same end state as a run without the kill").containsExactly("1", "2", "3", "4");
            assertThat(steps(end, "fits")).containsExactly("1", "2");
            assertThat(end.stream().filter(line -> line.endsWith(" " + firstPid)).toList())
                    .as("nothing done by the killed process after its deadline").isEqualTo(atTheKill.stream().filter(line -> line.endsWith(" " + firstPid)).toList());
            assertThat(end.stream().filter(line -> line.startsWith("init ")).distinct().count())
                    .as("the redelivery ran in a new environment, initialised afresh").isGreaterThanOrEqualTo(2);
            assertThat(function.onExit()).as("a kill at the timeout is not a crash").isNotDone();
        } finally {
            elasticMq.stopAndWait();
        }
    }

    /** The function's effects so far (read here: loading its class in this JVM would run its init). */
    private static List<String> lines(Path store) throws java.io.IOException {
        return java.nio.file.Files.exists(store) ? java.nio.file.Files.readAllLines(store) : List.of();
    }

    /** The job's recorded steps, in the order they were done. */
    private static List<String> steps(List<String> lines, String job) {
        return lines.stream().filter(line -> line.startsWith(job + " ")).map(line -> line.split(" ")[1]).toList();
    }

    /** The child's class path: aws-lambda-java-core (the handler interface) and the test classes (LocalFunction adds those). */
    private static Path lambdaCoreJar() throws Exception {
        return Path.of(RequestStreamHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
