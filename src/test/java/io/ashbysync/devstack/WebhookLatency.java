package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Measures webhook freshness on the local stack of {@code make run} (packaged functions in their own JVMs, ElasticMQ,
 * moto): a recruiter moves an application in the simulator, whose signed webhooks (candidateStageChange and
 * applicationUpdate) go over HTTP to the `http` function, onto the work queue, through the `commands` function, and
 * out as the candidate's {@code candidate.upserted} on the events queue, where Findem's consumer receives it. One
 * move at a time; the poller's schedule is pushed out of the way. Prints p50, p90, p99 and max.
 *
 * <p>Run after {@code ./mvnw package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt}:
 * {@code java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.ashbysync.devstack.WebhookLatency [samples]}
 */
public final class WebhookLatency {
    private static final Duration EVENT_WAIT = Duration.ofSeconds(60);
    private static final int WARM_UP = 5;

    private WebhookLatency() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        DevStack stack = new DevStack();
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "latency-shutdown"));
        stack.start(new DevStack.Settings(300, Duration.ofHours(6), 18080), DevStack.findRunnerJar(Path.of("target")));
        SimulatedOrganization org = stack.tenant().organization();
        ConcurrentMap<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
        Consumer<JsonNode> listener = event -> {
            if ("candidate.upserted".equals(event.path("type").asText()) && event.hasNonNull("entityVersion")) {
                waiting.computeIfAbsent(key(event.path("entityId").asText(), event.path("entityVersion").asText()),
                        k -> new CountDownLatch(1)).countDown();
            }
        };
        stack.findemEvents().addListener(listener);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < samples + WARM_UP; i++) {
            ObjectNode app = nextMovable(org, i);
            String stage = otherStage(org, app);
            long start = System.nanoTime();
            ObjectNode moved = org.moveStage(app.path("id").asText(), stage, null);
            String key = key(moved.path("candidate").path("id").asText(), moved.path("updatedAt").asText());
            CountDownLatch latch = waiting.computeIfAbsent(key, k -> new CountDownLatch(1));
            if (!latch.await(EVENT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("no candidate.upserted for " + key + " within " + EVENT_WAIT);
            }
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (i >= WARM_UP) millis.add(took);
        }
        Collections.sort(millis);
        DevConsole.text(String.format("webhook -> candidate.upserted over %d stage moves (after %d warm-up): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms",
                millis.size(), WARM_UP, percentile(millis, 50), percentile(millis, 90), percentile(millis, 99), millis.getLast()));
        stack.close();
        System.exit(0);
    }

    /** The candidate and the version its document carries: the latest updatedAt, here the moved application's. */
    private static String key(String candidateId, String updatedAt) {
        return candidateId + "@" + Instant.parse(updatedAt).toEpochMilli();
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static ObjectNode nextMovable(SimulatedOrganization org, int i) {
        List<ObjectNode> active = org.applications().stream().filter(a -> "Active".equals(a.path("status").asText())).toList();
        return active.get(i % active.size());
    }

    private static String otherStage(SimulatedOrganization org, ObjectNode app) {
        String planId = app.path("currentInterviewStage").path("interviewPlanId").asText();
        String current = app.path("currentInterviewStage").path("id").asText();
        return org.interviewStages(planId).stream()
                .filter(s -> !Set.of("Lead", "Hired", "Archived").contains(s.path("type").asText()))
                .map(s -> s.path("id").asText()).filter(id -> !id.equals(current)).findFirst().orElseThrow();
    }
}
