package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AWS Lambda Runtime API for one function, on a loopback port: what a packaged function polls when
 * {@code AWS_LAMBDA_RUNTIME_API} points here. {@link #invoke} queues an event; the function takes it with
 * {@code GET invocation/next} (which blocks until there is one, as in Lambda), and answers with
 * {@code POST invocation/<id>/response} or {@code /error}. {@code POST init/error} reports a function that could not
 * start.
 *
 * <p>The deadline header starts when the function takes the event. When it passes, Lambda kills the execution
 * environment: here the endpoint the function polls is closed (so its late answer is never taken and it can take no
 * further event), {@link #onEnvironmentKilled} kills its process, events it had taken but not run go back to the front
 * of the queue, and the invocation ends as {@link Outcome.TimedOut}. The next event goes to a new environment on a new
 * {@link #address}, i.e. a cold start.
 */
public final class LocalLambdaRuntime implements AutoCloseable {
    static final String API_PATH = "/2018-06-01/runtime/";
    private static final Pattern INVOCATION_PATH = Pattern.compile(API_PATH + "invocation/([^/]+)/(response|error)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How one invocation ended. */
    public sealed interface Outcome {
        /** The function's response payload (JSON for these handlers). */
        record Succeeded(byte[] payload) implements Outcome {
            public String payloadText() {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }

        /** The function reported an error (an exception in the handler). */
        record Failed(String errorType, String errorMessage) implements Outcome {}

        /** No answer before the deadline. */
        record TimedOut(Duration timeout) implements Outcome {}
    }

    /** An invocation's outcome and how long it took from being taken by the function to its answer. */
    public record Result(String requestId, Outcome outcome, Duration duration) {}

    /** What the function sent to {@code init/error}. */
    public record InitError(String errorType, String errorMessage) {}

    private record Pending(String requestId, byte[] event, Duration timeout, CompletableFuture<Result> result) {}

    private record InFlight(Pending pending, long takenAtNanos, Environment environment) {}

    /** The Runtime API as one execution environment sees it; closed when Lambda kills that environment. */
    private final class Environment {
        private final HttpServer server;
        // Virtual threads, because a function's `next` request parks on the queue for as long as it is idle.
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

        Environment() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the Lambda runtime API for " + functionName, e);
            }
            server.createContext(API_PATH, exchange -> handle(this, exchange));
            server.setExecutor(executor);
            server.start();
        }

        String address() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        /** Refuses the function's connections and ends its parked {@code next} requests without handing them an event. */
        void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private final String functionName;
    private final String functionArn;
    private final ScheduledExecutorService deadlines;
    private final BlockingDeque<Pending> queued = new LinkedBlockingDeque<>();
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<InitError> initError = new CompletableFuture<>();
    private volatile Environment environment;
    private volatile Consumer<String> environmentKilled = address -> { };

    private LocalLambdaRuntime(String functionName, String functionArn) {
        this.functionName = functionName;
        this.functionArn = functionArn;
        this.deadlines = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("deadlines-" + functionName).factory());
        this.environment = new Environment();
    }

    /** Starts the API on a free loopback port. */
    public static LocalLambdaRuntime start(String functionName, String functionArn) {
        return new LocalLambdaRuntime(functionName, functionArn);
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API} for the current execution environment: host and port, no scheme. */
    public String address() {
        return environment.address();
    }

    /**
     * Called when an invocation timed out, after its environment's endpoint closed and before the invocation ends as
     * {@link Outcome.TimedOut}: kills the environment's process and starts the next one on {@code newAddress}.
     */
    public void onEnvironmentKilled(Consumer<String> killAndStartOn) {
        this.environmentKilled = killAndStartOn;
    }

    public String functionName() {
        return functionName;
    }

    /** Completes when the function first asks for an event, i.e. it finished its init. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Completes when the function reports that its init failed. */
    public CompletableFuture<InitError> initError() {
        return initError;
    }

    /** Queues one event; the result completes when the function answers or its deadline passes. */
    public CompletableFuture<Result> invoke(byte[] event, Duration timeout) {
        Pending pending = new Pending(UUID.randomUUID().toString(), event, timeout, new CompletableFuture<>());
        queued.add(pending);
        return pending.result();
    }

    private void handle(Environment from, HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals(API_PATH + "invocation/next")) {
                next(from, exchange);
                return;
            }
            if (method.equals("POST") && path.equals(API_PATH + "init/error")) {
                initError.complete(readError(exchange, "init error"));
                accepted(exchange);
                return;
            }
            Matcher invocation = INVOCATION_PATH.matcher(path);
            if (method.equals("POST") && invocation.matches()) {
                answer(exchange, invocation.group(1), invocation.group(2).equals("response"));
                return;
            }
            send(exchange, 404, "{\"errorMessage\":\"no such runtime API path: " + method + " " + path + "\"}");
        }
    }

    private void next(Environment from, HttpExchange exchange) throws IOException {
        ready.complete(null);
        Pending pending;
        try {
            pending = queued.take();
        } catch (InterruptedException e) {
            // the environment was killed while idle
            Thread.currentThread().interrupt();
            return;
        }
        InFlight call = new InFlight(pending, System.nanoTime(), from);
        inFlight.put(pending.requestId(), call);
        if (from != environment) {
            // killed between taking the event and registering it: it goes to the next environment
            requeueTakenBy(from);
            return;
        }
        // Lambda's clock starts when the runtime receives the event.
        deadlines.schedule(() -> expire(call), pending.timeout().toMillis(), TimeUnit.MILLISECONDS);
        long deadline = System.currentTimeMillis() + pending.timeout().toMillis();
        var headers = exchange.getResponseHeaders();
        headers.set("Lambda-Runtime-Aws-Request-Id", pending.requestId());
        headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
        headers.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        headers.set("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                + pending.requestId().replace("-", "").substring(0, 24) + ";Sampled=0");
        headers.set("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(200, pending.event().length);
            exchange.getResponseBody().write(pending.event());
        } catch (IOException e) {
            // The function went away while holding the event: Lambda would count this as a failed invocation.
            if (inFlight.remove(pending.requestId(), call)) {
                pending.result().complete(new Result(pending.requestId(),
                        new Outcome.Failed("Runtime.ExitError", "the function disconnected: " + e.getMessage()), Duration.ZERO));
            }
        }
    }

    /**
     * The deadline passed without an answer: Lambda kills the environment. Its endpoint closes first, so nothing it
     * sends from now on is taken; then its process is killed; only then does the invocation end, so whoever waits for
     * it sees no effect of the environment after that.
     */
    private synchronized void expire(InFlight call) {
        if (!inFlight.remove(call.pending().requestId(), call)) return; // answered in time
        Environment killed = call.environment();
        if (killed == environment) {
            environment = new Environment();
            killed.close();
            requeueTakenBy(killed);
            environmentKilled.accept(environment.address());
        }
        call.pending().result().complete(new Result(call.pending().requestId(),
                new Outcome.TimedOut(call.pending().timeout()), call.pending().timeout()));
    }

    /** Events a killed environment had taken but not started go back to the front of the queue. */
    private void requeueTakenBy(Environment killed) {
        inFlight.values().stream().filter(call -> call.environment() == killed).toList().forEach(call -> {
            if (inFlight.remove(call.pending().requestId(), call)) queued.addFirst(call.pending());
        });
    }

    private void answer(HttpExchange exchange, String requestId, boolean success) throws IOException {
        // removed, not read: an answer and the deadline race for the invocation, and only one of them ends it
        InFlight call = inFlight.remove(requestId);
        if (call == null) {
            send(exchange, 400, "{\"errorType\":\"InvalidRequestID\",\"errorMessage\":\"unknown or finished request " + requestId + "\"}");
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - call.takenAtNanos());
        Outcome outcome;
        if (success) {
            outcome = new Outcome.Succeeded(exchange.getRequestBody().readAllBytes());
        } else {
            InitError error = readError(exchange, "function error");
            outcome = new Outcome.Failed(error.errorType(), error.errorMessage());
        }
        call.pending().result().complete(new Result(requestId, outcome, took));
        accepted(exchange);
    }

    /** The runtime posts {@code {"errorType", "errorMessage"}}; anything else is kept as the message. */
    private static InitError readError(HttpExchange exchange, String fallbackType) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String header = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
        try {
            JsonNode error = JSON.readTree(body);
            return new InitError(error.path("errorType").asText(header == null ? fallbackType : header),
                    error.path("errorMessage").asText(""));
        } catch (IOException notJson) {
            return new InitError(header == null ? fallbackType : header, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static void accepted(HttpExchange exchange) throws IOException {
        send(exchange, 202, "{\"status\":\"OK\"}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /** Stops the API; invocations still waiting end as failed so no caller waits for a function that is gone. */
    @Override
    public void close() {
        environment.close();
        deadlines.shutdownNow();
        Pending left;
        while ((left = queued.poll()) != null) {
            left.result().complete(new Result(left.requestId(), new Outcome.Failed("Runtime.Stopped", "the stack stopped"), Duration.ZERO));
        }
        inFlight.values().forEach(call -> call.pending().result().complete(new Result(call.pending().requestId(),
                new Outcome.Failed("Runtime.Stopped", "the stack stopped"), Duration.ZERO)));
    }
}
