package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.RequestRecord;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * {@code make bench}: the dev stack (the packaged functions, wired as in {@code template.yaml}, against moto,
 * ElasticMQ and the Ashby simulator rate-limited to the tenant's budget with realistic latency), measured from
 * outside: Ashby calls from the simulator's request log, delivery from the events queue Findem reads, CPU and peak
 * memory from the functions' processes. Writes {@code target/bench/results.json} and prints a table.
 *
 * <p>Settings (environment): {@code BENCH_CANDIDATES} (10000), {@code BENCH_BUDGET} (6000 requests/min),
 * {@code BENCH_LATENCY_MS} (40-120), {@code BENCH_REJECTS} (2000), {@code BENCH_EXPORTS} (10),
 * {@code BENCH_WEBHOOKS} (30), {@code BENCH_POLL_CHANGES} (5), {@code BENCH_POLL_SECONDS} (15),
 * {@code BENCH_SEARCHES} (20 of each search query).
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path RESULTS = Path.of("target", "bench", "results.json");
    private static final long PROJECTED_CANDIDATES = 1_000_000;

    record Settings(int candidates, int budget, Duration latencyMin, Duration latencyMax, int rejects, int exports,
                    int webhooks, int pollChanges, Duration pollPeriod, int searches) {
        static Settings fromEnvironment() {
            Duration[] latency = DevStack.Settings.latency("BENCH_LATENCY_MS", "40-120");
            return new Settings(DevStack.Settings.positive("BENCH_CANDIDATES", 10_000), DevStack.Settings.positive("BENCH_BUDGET", 6_000),
                    latency[0], latency[1], DevStack.Settings.positive("BENCH_REJECTS", 2_000), DevStack.Settings.positive("BENCH_EXPORTS", 10),
                    DevStack.Settings.positive("BENCH_WEBHOOKS", 30), DevStack.Settings.positive("BENCH_POLL_CHANGES", 5),
                    Duration.ofSeconds(DevStack.Settings.positive("BENCH_POLL_SECONDS", 15)),
                    DevStack.Settings.positive("BENCH_SEARCHES", 20));
        }
    }

    private static final Duration EVENT_WAIT = Duration.ofSeconds(90);
    private static final Duration WEBHOOK_MOVE_PACE = Duration.ofSeconds(1);

    private final DevStack stack;
    private final Settings settings;
    private final ObjectNode results = JSON.createObjectNode();
    private final ObjectNode phaseSeconds = results.putObject("phaseSeconds");

    private Bench(DevStack stack, Settings settings) {
        this.stack = stack;
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        Path runnerJar;
        try {
            settings = Settings.fromEnvironment();
            runnerJar = DevStack.findRunnerJar(Path.of("target"));
        } catch (IllegalArgumentException | IllegalStateException e) {
            DevConsole.text("bench not started: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status;
        try (DevStack stack = new DevStack()) {
            // Ctrl-C (or a kill) stops moto and the functions' JVMs too, not only this one
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "bench-stack-shutdown"));
            DevConsole.quiet(true);
            DevConsole.text("starting the local stack: %,d candidates, budget %,d requests/min, Ashby latency %d-%d ms"
                    .formatted(settings.candidates(), settings.budget(), settings.latencyMin().toMillis(), settings.latencyMax().toMillis()));
            // the stack's initial sync starts with the schedule's first tick, so the bench watches from before it
            long starting = System.nanoTime();
            stack.start(new DevStack.Settings(settings.candidates(), settings.pollPeriod(), 0, settings.budget(),
                    settings.latencyMin(), settings.latencyMax(), null), runnerJar);
            Bench bench = new Bench(stack, settings);
            bench.phaseSeconds.put("stackStart", round((System.nanoTime() - starting) / 1e9));
            status = bench.run() ? 0 : 1;
        }
        System.exit(status);
    }

    /** @return whether every part finished */
    private boolean run() throws Exception {
        results.putObject("settings").put("candidates", settings.candidates()).put("budgetPerMinute", settings.budget())
                .put("latencyMs", settings.latencyMin().toMillis() + "-" + settings.latencyMax().toMillis())
                .put("rejects", settings.rejects()).put("exports", settings.exports())
                .put("webhooks", settings.webhooks()).put("pollChanges", settings.pollChanges())
                .put("pollSeconds", settings.pollPeriod().toSeconds()).put("searches", settings.searches())
                .put("cores", Runtime.getRuntime().availableProcessors());
        boolean loaded = timed("initialLoad", this::initialLoad);
        boolean searched = loaded && timed("search", this::search);
        boolean exported = loaded && timed("exportFreshness", this::exportFreshness);
        boolean webhooks = loaded && timed("webhookFreshness", () -> changeFreshness("webhookFreshness", settings.webhooks(), WEBHOOK_MOVE_PACE));
        boolean polled = loaded && timed("pollFreshness", () -> withWebhooksDisabled(() -> changeFreshness("pollFreshness",
                settings.pollChanges(), settings.pollPeriod().dividedBy(settings.pollChanges()))));
        boolean rejected = loaded && timed("bulkReject", this::bulkReject);
        Files.createDirectories(RESULTS.getParent());
        Files.writeString(RESULTS, JSON.writeValueAsString(results));
        DevConsole.text(table());
        DevConsole.text("results: " + RESULTS.toAbsolutePath());
        return loaded && searched && exported && webhooks && polled && rejected;
    }

    /** One part of the bench, its wall time kept for the results (where the run's minutes go). */
    private boolean timed(String phase, Callable<Boolean> part) throws Exception {
        long started = System.nanoTime();
        try {
            return part.call();
        } finally {
            phaseSeconds.put(phase, round((System.nanoTime() - started) / 1e9));
        }
    }

    // ---- 1. initial load ------------------------------------------------------------------------------------------

    private boolean initialLoad() throws InterruptedException {
        DemoTenant tenant = stack.tenant();
        int expected = tenant.organization().candidates().size();
        Map<Long, ProcessSample> before = sampleFunctions();
        Map<String, Long> localStackBefore = localStackCpuMillis();
        Instant watchFrom = Instant.now();
        Instant lastDocument;
        try (InitialSyncProgress progress = InitialSyncProgress.watch(stack.findemEvents(), tenant.tenantId(), expected)) {
            lastDocument = progress.await(Duration.ofMinutes(40), Duration.ofSeconds(5)) == null ? null : progress.lastArrival();
        }
        ObjectNode load = results.putObject("initialLoad");
        if (lastDocument == null) {
            load.put("finished", false);
            return false;
        }
        Map<Long, ProcessSample> after = sampleFunctions();
        Map<String, Long> localStackAfter = localStackCpuMillis();
        List<RequestRecord> calls = callsOf(tenant.apiKey(), watchFrom, lastDocument);
        // from the poller's first call to Ashby to the last candidate's document on the events queue
        Instant first = calls.stream().map(RequestRecord::receivedAt).min(Comparator.naturalOrder()).orElseThrow();
        Duration took = Duration.between(first, lastDocument);
        long answered = calls.stream().filter(r -> r.httpStatus() != 429).count();
        long throttled = calls.size() - answered;
        double minutes = took.toMillis() / 60_000.0;
        double callsPerCandidate = (double) answered / expected;
        int peakMinute = stack.simulator().maxRequestsInAnySlidingWindow(tenant.apiKey(), Duration.ofMinutes(1));
        long cpuMillis = after.entrySet().stream().mapToLong(e -> e.getValue().cpuMillis()
                - Optional.ofNullable(before.get(e.getKey())).map(ProcessSample::cpuMillis).orElse(0L)).sum();
        load.put("finished", true).put("candidates", expected)
                .put("wallSeconds", round(took.toMillis() / 1000.0))
                .put("ashbyCalls", answered).put("callsPerCandidate", round(callsPerCandidate))
                .put("callsRejected429", throttled)
                .put("requestsPerMinute", round(answered / Math.max(minutes, 1e-9)))
                .put("budgetUtilisation", round(answered / Math.max(minutes, 1e-9) / settings.budget()))
                .put("peakRequestsInAnyMinute", peakMinute)
                .put("requestsOverBudget", Math.max(0, peakMinute - settings.budget()))
                .put("cpuSecondsFunctions", round(cpuMillis / 1000.0))
                .put("projectedHoursPerMillionCandidates", round(callsPerCandidate * PROJECTED_CANDIDATES / settings.budget() / 60.0));
        ObjectNode localStackCpu = load.putObject("cpuSecondsLocalStack");
        localStackAfter.forEach((part, millis) -> localStackCpu.put(part, round((millis - localStackBefore.getOrDefault(part, 0L)) / 1000.0)));
        load.set("peakMemoryMbPerFunction", JSON.valueToTree(peakMemory(after)));
        load.set("liveHeapAfterGcMbPerFunction", JSON.valueToTree(liveHeapAfterGc()));
        ObjectNode byEndpoint = load.putObject("callsByEndpoint");
        calls.stream().filter(r -> r.httpStatus() != 429).collect(Collectors.groupingBy(RequestRecord::endpoint,
                TreeMap::new, Collectors.counting())).forEach(byEndpoint::put);
        return true;
    }

    // ---- 2. search ------------------------------------------------------------------------------------------------

    /**
     * First pages (25) of the search API over HTTP, as Findem's UI would ask for them, on the mirror the initial load
     * built: latency per query kind, and what each read from DynamoDB (the API reports it) — the figure that carries
     * over to DynamoDB, where moto's latency does not.
     */
    private boolean search() throws Exception {
        SimulatedOrganization org = stack.tenant().organization();
        List<ObjectNode> applications = org.applications();
        String job = mostCommon(applications.stream().map(a -> a.path("job").path("id").asText()));
        String stage = mostCommon(applications.stream().filter(a -> job.equals(a.path("job").path("id").asText()))
                .map(a -> a.path("currentInterviewStage").path("id").asText()));
        String tag = mostCommon(org.candidates().stream().flatMap(c -> StreamSupport.stream(c.path("tags").spliterator(), false))
                .map(t -> t.path("id").asText()));
        String source = mostCommon(applications.stream().map(a -> a.path("source").path("id").asText()));
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("all candidates", "candidates?limit=25");
        queries.put("status=Active", "candidates?status=Active&limit=25");
        queries.put("busiest job", "candidates?job=" + job + "&limit=25");
        queries.put("job + stage", "candidates?job=" + job + "&stage=" + stage + "&limit=25");
        queries.put("tag + status=Active", "candidates?tag=" + tag + "&status=Active&limit=25");
        queries.put("source", "candidates?source=" + source + "&limit=25");
        queries.put("job cards", "jobs?limit=25");
        HttpClient http = HttpClient.newHttpClient();
        ObjectNode search = results.putObject("search");
        ArrayNode measured = search.putArray("queries");
        for (Map.Entry<String, String> query : queries.entrySet()) {
            HttpRequest request = HttpRequest.newBuilder(
                    stack.httpBase().resolve("/tenants/" + stack.tenant().tenantId() + "/" + query.getValue())).GET().build();
            List<Long> millis = new ArrayList<>();
            JsonNode answer = null;
            for (int i = 0; i < settings.searches(); i++) {
                long started = System.nanoTime();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                millis.add((System.nanoTime() - started) / 1_000_000);
                if (response.statusCode() != 200) {
                    search.put("finished", false).put("failedQuery", query.getValue()).put("status", response.statusCode())
                            .put("answer", response.body());
                    return false;
                }
                answer = JSON.readTree(response.body());
            }
            JsonNode reads = answer.path("reads");
            int hits = answer.path(answer.has("hits") ? "hits" : "jobs").size();
            ObjectNode row = measured.addObject().put("name", query.getKey()).put("path", query.getValue()).put("hits", hits)
                    .put("requests", reads.path("requests").asInt()).put("itemsRead", reads.path("items").asInt())
                    .put("readUnits", reads.path("readUnits").asDouble());
            row.set("latencyMs", percentiles(millis));
        }
        search.put("finished", true);
        return true;
    }

    private static String mostCommon(Stream<String> values) {
        return values.filter(v -> !v.isEmpty()).collect(Collectors.groupingBy(v -> v, Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    // ---- 3. export freshness --------------------------------------------------------------------------------------

    /** Export command sent → first Ashby write (candidate created), and → the command's result event. */
    private boolean exportFreshness() throws Exception {
        List<Long> toWrite = new ArrayList<>();
        List<Long> toResult = new ArrayList<>();
        for (int i = 0; i < settings.exports(); i++) {
            ObjectNode command = stack.sampleExport().command("application");
            String commandId = command.get("commandId").asText();
            String email = command.path("payload").path("candidate").path("emails").get(0).asText();
            Instant sent = Instant.now();
            JsonNode result = sendAndAwaitResult(command, commandId, Duration.ofMinutes(3));
            if (result == null || !"succeeded".equals(result.path("data").path("status").asText())) {
                results.putObject("exportFreshness").put("finished", false).put("failedCommand", commandId)
                        .set("result", result);
                return false;
            }
            Instant resultAt = Instant.now();
            Instant written = stack.simulator().requestLog("candidate.create").stream()
                    .filter(r -> r.body().contains(email)).map(RequestRecord::receivedAt).findFirst().orElseThrow();
            toWrite.add(Duration.between(sent, written).toMillis());
            toResult.add(Duration.between(sent, resultAt).toMillis());
        }
        ObjectNode freshness = results.putObject("exportFreshness").put("finished", true).put("samples", settings.exports());
        freshness.set("commandToAshbyWriteMs", percentiles(toWrite));
        freshness.set("commandToResultEventMs", percentiles(toResult));
        return true;
    }

    // ---- 4. change in Ashby → Findem, by webhook and by polling alone --------------------------------------------

    /**
     * Recruiters move applications to other stages in Ashby, one move every {@code pace} (not waiting for the last to
     * arrive, as moves come in real life); each clock stops when Findem's consumer receives the candidate's
     * {@code candidate.upserted} carrying that move (its version is the moved application's {@code updatedAt}). With
     * the tenant's webhooks on, the webhook path carries it (the poller may win a race now and then, which is what a
     * recruiter would see); with them off, polling alone, and moves spread over a schedule period land anywhere in it.
     */
    private boolean changeFreshness(String name, int samples, Duration pace) throws InterruptedException {
        SimulatedOrganization org = stack.tenant().organization();
        ConcurrentMap<String, CountDownLatch> arrived = new ConcurrentHashMap<>();
        ConcurrentMap<String, Long> arrivedAtNanos = new ConcurrentHashMap<>();
        Consumer<JsonNode> listener = event -> {
            if ("candidate.upserted".equals(event.path("type").asText()) && event.hasNonNull("entityVersion")) {
                String key = versionKey(event.path("entityId").asText(), event.path("entityVersion").asText());
                arrivedAtNanos.putIfAbsent(key, System.nanoTime());
                arrived.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown();
            }
        };
        stack.findemEvents().addListener(listener);
        Map<String, Long> movedAtNanos = new LinkedHashMap<>();
        try {
            List<ObjectNode> active = org.applications().stream().filter(a -> "Active".equals(a.path("status").asText())).toList();
            for (int i = 0; i < samples; i++) {
                if (i > 0) Thread.sleep(pace);
                ObjectNode application = active.get((i * 7919) % active.size());
                long movedAt = System.nanoTime();
                ObjectNode moved = org.moveStage(application.path("id").asText(), otherStage(org, application), null);
                movedAtNanos.put(versionKey(moved.path("candidate").path("id").asText(), moved.path("updatedAt").asText()), movedAt);
            }
            long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
            for (String key : movedAtNanos.keySet()) {
                if (!arrived.computeIfAbsent(key, k -> new CountDownLatch(1))
                        .await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    results.putObject(name).put("finished", false).put("missing", key);
                    return false;
                }
            }
        } finally {
            stack.findemEvents().removeListener(listener);
        }
        List<Long> millis = movedAtNanos.entrySet().stream()
                .map(e -> TimeUnit.NANOSECONDS.toMillis(arrivedAtNanos.get(e.getKey()) - e.getValue())).toList();
        results.putObject(name).put("finished", true).put("samples", samples)
                .set("changeToFindemMs", percentiles(millis));
        return true;
    }

    private boolean withWebhooksDisabled(Callable<Boolean> measurement) throws Exception {
        SimulatedOrganization org = stack.tenant().organization();
        List<String> enabled = org.webhooks().stream().filter(w -> w.path("enabled").asBoolean())
                .map(w -> w.get("id").asText()).toList();
        enabled.forEach(org::disableWebhook);
        return measurement.call();
    }

    private static String versionKey(String candidateId, String updatedAt) {
        return candidateId + "@" + Instant.parse(updatedAt).toEpochMilli();
    }

    private static String otherStage(SimulatedOrganization org, ObjectNode application) {
        String planId = application.path("currentInterviewStage").path("interviewPlanId").asText();
        String current = application.path("currentInterviewStage").path("id").asText();
        return org.interviewStages(planId).stream()
                .filter(s -> !Set.of("Lead", "Hired", "Archived").contains(s.path("type").asText()))
                .map(s -> s.path("id").asText()).filter(id -> !id.equals(current)).findFirst().orElseThrow();
    }

    // ---- 5. bulk reject -------------------------------------------------------------------------------------------

    private boolean bulkReject() throws Exception {
        DemoTenant tenant = stack.tenant();
        SimulatedOrganization org = tenant.organization();
        List<String> applicationIds = org.applications().stream().filter(a -> "Active".equals(a.path("status").asText()))
                .limit(settings.rejects()).map(a -> a.get("id").asText()).toList();
        String reasonId = org.archiveReasons().stream().filter(r -> !r.path("isArchived").asBoolean())
                .findFirst().orElseThrow().get("id").asText();
        String commandId = "bench-reject-" + Instant.now().toEpochMilli();
        ObjectNode command = JSON.createObjectNode().put("type", "application.reject").put("commandId", commandId)
                .put("tenantId", tenant.tenantId());
        command.putObject("requestedBy").put("email", "recruiter@example.com");
        ObjectNode payload = command.putObject("payload").put("archiveReasonId", reasonId);
        ArrayNode ids = payload.putArray("applicationIds");
        applicationIds.forEach(ids::add);
        Instant sent = Instant.now();
        JsonNode result = sendAndAwaitResult(command, commandId, Duration.ofMinutes(20));
        Instant done = Instant.now();
        ObjectNode reject = results.putObject("bulkReject").put("applications", applicationIds.size());
        if (result == null) {
            reject.put("finished", false);
            return false;
        }
        List<RequestRecord> calls = callsOf(tenant.apiKey(), sent, done);
        long answered = calls.stream().filter(r -> r.httpStatus() != 429).count();
        double minutes = Duration.between(sent, done).toMillis() / 60_000.0;
        JsonNode output = result.path("data").path("output");
        reject.put("finished", true).put("status", result.path("data").path("status").asText())
                .put("archived", output.path("archived").asLong()).put("failed", output.path("failed").asLong())
                .put("wallSeconds", round(Duration.between(sent, done).toMillis() / 1000.0))
                .put("ashbyCalls", answered).put("callsRejected429", calls.size() - answered)
                .put("budgetUtilisation", round(answered / Math.max(minutes, 1e-9) / settings.budget()));
        return true;
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Sends a command to the commands queue and waits for its {@code command.result} event. */
    private JsonNode sendAndAwaitResult(ObjectNode command, String commandId, Duration within) throws Exception {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        Consumer<JsonNode> listener = event -> {
            if ("command.result".equals(event.path("type").asText()) && commandId.equals(event.path("entityId").asText())) {
                result.complete(event);
            }
        };
        stack.findemEvents().addListener(listener);
        try {
            stack.commands().send(command.toString(), command.get("tenantId").asText(), commandId);
            return result.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } finally {
            stack.findemEvents().removeListener(listener);
        }
    }

    private List<RequestRecord> callsOf(String apiKey, Instant from, Instant to) {
        return stack.simulator().requestLog().stream().filter(r -> apiKey.equals(r.apiKey()))
                .filter(r -> !r.receivedAt().isBefore(from) && !r.receivedAt().isAfter(to)).toList();
    }

    private static ObjectNode percentiles(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return JSON.createObjectNode().put("p50", percentile(sorted, 0.50)).put("p99", percentile(sorted, 0.99))
                .put("max", sorted.getLast());
    }

    /** Nearest-rank percentile. */
    static long percentile(List<Long> sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** CPU time (user + system) and peak resident memory of one process, from /proc (Linux). */
    record ProcessSample(String function, long cpuMillis, long peakRssKb) {}

    private Map<Long, ProcessSample> sampleFunctions() {
        Map<Long, ProcessSample> samples = new LinkedHashMap<>();
        for (LocalFunction function : stack.functions()) {
            readProcess(function.pid()).ifPresent(s -> samples.put(function.pid(), new ProcessSample(function.name(), s[0], s[1])));
        }
        return samples;
    }

    /**
     * CPU of what stands in for AWS and Ashby on this machine: moto, and this process (the Ashby simulator, ElasticMQ,
     * Findem's consumer). On few cores they share the CPU with the functions, so they bound the pace of a local run.
     */
    private Map<String, Long> localStackCpuMillis() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        readProcess(stack.aws().motoPid()).ifPresent(s -> cpu.put("moto", s[0]));
        readProcess(ProcessHandle.current().pid()).ifPresent(s -> cpu.put("benchHost", s[0]));
        return cpu;
    }

    private static Map<String, Long> peakMemory(Map<Long, ProcessSample> samples) {
        Map<String, Long> peak = new LinkedHashMap<>();
        samples.values().forEach(s -> peak.merge(s.function(), s.peakRssKb() / 1024, Math::max));
        return peak;
    }

    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    /**
     * Per function, the largest heap left after a collection in the first and in the second half of its GC log:
     * memory that grows with the work shows as a second half above the first.
     */
    private Map<String, List<Long>> liveHeapAfterGc() {
        Map<String, List<Long>> live = new LinkedHashMap<>();
        for (LocalFunction function : stack.functions()) {
            List<Long> after = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(function.gcLog())) {
                    Matcher m = GC_HEAP.matcher(line);
                    if (m.find()) after.add(Long.parseLong(m.group(2)));
                }
            } catch (IOException unreadable) {
                continue;
            }
            if (after.isEmpty()) continue;
            int half = after.size() / 2;
            live.merge(function.name(), List.of(after.subList(0, Math.max(1, half)).stream().mapToLong(Long::longValue).max().orElse(0),
                    after.subList(half, after.size()).stream().mapToLong(Long::longValue).max().orElse(0)),
                    (a, b) -> List.of(Math.max(a.get(0), b.get(0)), Math.max(a.get(1), b.get(1))));
        }
        return live;
    }

    /** {cpu millis, VmHWM kB}; empty where /proc is not there. */
    private static Optional<long[]> readProcess(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command name: state is field 3 of the whole line, utime 14 and stime 15
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            long hwm = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmHWM:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
            return Optional.of(new long[] {ticks * 10, hwm});
        } catch (IOException | RuntimeException notLinux) {
            return Optional.empty();
        }
    }

    private String table() {
        StringBuilder t = new StringBuilder("\n");
        JsonNode load = results.path("initialLoad");
        t.append("%-46s %s%n".formatted("benchmark", "result"));
        t.append("-".repeat(100)).append('\n');
        if (load.path("finished").asBoolean()) {
            t.append(row("initial load: candidates", "%,d".formatted(load.get("candidates").asLong())));
            t.append(row("initial load: wall time", InitialSyncProgress.formatDuration(Duration.ofMillis((long) (load.get("wallSeconds").asDouble() * 1000)))));
            t.append(row("initial load: Ashby calls per candidate", load.get("callsPerCandidate").asText()));
            t.append(row("initial load: requests/min (budget %,d)".formatted(settings.budget()),
                    "%,.0f (utilisation %.0f %%)".formatted(load.get("requestsPerMinute").asDouble(), load.get("budgetUtilisation").asDouble() * 100)));
            t.append(row("initial load: 429s / requests over budget", load.get("callsRejected429").asText() + " / " + load.get("requestsOverBudget").asText()));
            t.append(row("initial load: CPU s (functions) / peak MB", load.get("cpuSecondsFunctions").asText() + " / " + load.get("peakMemoryMbPerFunction")));
            t.append(row("initial load: CPU s of moto / bench host", load.path("cpuSecondsLocalStack").path("moto").asText("-") + " / "
                    + load.path("cpuSecondsLocalStack").path("benchHost").asText("-") + "   (simulator, ElasticMQ, Findem's consumer)"));
            t.append(row("live heap after GC, MB (1st half / 2nd half of the run)", load.get("liveHeapAfterGcMbPerFunction").toString()));
            t.append(row("projection: 1M candidates at this budget", load.get("projectedHoursPerMillionCandidates").asText()
                    + " h   (Findem: ~120 h)"));
        } else {
            t.append(row("initial load", "did not finish"));
        }
        JsonNode search = results.path("search");
        if (search.path("finished").asBoolean()) {
            for (JsonNode query : search.get("queries")) {
                t.append(row("search: " + query.get("name").asText() + " p50/p99", ms(query.get("latencyMs"))
                        + "   %d hits, %d items read, %.1f RCU".formatted(query.get("hits").asInt(), query.get("itemsRead").asInt(),
                        query.get("readUnits").asDouble())));
            }
        }
        JsonNode export = results.path("exportFreshness");
        if (export.path("finished").asBoolean()) {
            t.append(row("export command → Ashby write p50/p99", ms(export.get("commandToAshbyWriteMs")) + "   (Findem: 30 min)"));
            t.append(row("export command → result event p50/p99", ms(export.get("commandToResultEventMs"))));
        }
        JsonNode webhook = results.path("webhookFreshness");
        if (webhook.path("finished").asBoolean()) {
            t.append(row("Ashby change → Findem by webhook p50/p99", ms(webhook.get("changeToFindemMs")) + "   (Kombo ~20 s, Findem 1-2 h)"));
        }
        JsonNode poll = results.path("pollFreshness");
        if (poll.path("finished").asBoolean()) {
            t.append(row("Ashby change → Findem by polling alone p50/p99", ms(poll.get("changeToFindemMs"))
                    + "   (schedule every %ds)".formatted(settings.pollPeriod().toSeconds())));
        }
        JsonNode reject = results.path("bulkReject");
        if (reject.path("finished").asBoolean()) {
            t.append(row("bulk reject: applications / status", "%,d / %s".formatted(reject.get("applications").asLong(), reject.get("status").asText())));
            t.append(row("bulk reject: wall time / utilisation", "%ss / %.0f %%".formatted(reject.get("wallSeconds").asText(), reject.get("budgetUtilisation").asDouble() * 100)));
        }
        List<String> phases = new ArrayList<>();
        phaseSeconds.properties().forEach(phase -> phases.add(phase.getKey() + " " + Math.round(phase.getValue().asDouble())));
        t.append(row("wall time by part, s", String.join(", ", phases)));
        return t.toString();
    }

    private static String row(String name, String value) {
        return "%-46s %s%n".formatted(name, value);
    }

    private static String ms(JsonNode p) {
        return "%,d / %,d ms".formatted(p.get("p50").asLong(), p.get("p99").asLong());
    }
}
