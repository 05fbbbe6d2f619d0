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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AWS Lambda Runtime API for one function, on a loopback port: what a packaged function polls when
 * {@code AWS_LAMBDA_RUNTIME_API} points here. {@link #invoke} queues an event; the function takes it with
 * {@code GET invocation/next} (which blocks until there is one, as in Lambda), and answers with
 * {@code POST invocation/<id>/response} or {@code /error}. {@code POST init/error} reports a function that could not
 * start.
 *
 * <p>The deadline header starts when the function takes the event, and the invocation ends as {@link Outcome.TimedOut}
 * when it passes, as Lambda's timeout does.
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

    private record InFlight(Pending pending, long takenAtNanos) {}

    private final String functionName;
    private final String functionArn;
    private final HttpServer server;
    // Virtual threads, because a function's `next` request parks on the queue for as long as it is idle.
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final BlockingQueue<Pending> queued = new LinkedBlockingQueue<>();
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<InitError> initError = new CompletableFuture<>();

    private LocalLambdaRuntime(String functionName, String functionArn, HttpServer server) {
        this.functionName = functionName;
        this.functionArn = functionArn;
        this.server = server;
        server.createContext(API_PATH, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts the API on a free loopback port. */
    public static LocalLambdaRuntime start(String functionName, String functionArn) {
        try {
            return new LocalLambdaRuntime(functionName, functionArn,
                    HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Lambda runtime API for " + functionName, e);
        }
    }

    /** The value of {@code AWS_LAMBDA_RUNTIME_API}: host and port, no scheme. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
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

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals(API_PATH + "invocation/next")) {
                next(exchange);
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

    private void next(HttpExchange exchange) throws IOException {
        ready.complete(null);
        Pending pending;
        try {
            pending = queued.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        inFlight.put(pending.requestId(), new InFlight(pending, System.nanoTime()));
        // Lambda's clock starts when the runtime receives the event; the result completes itself at the deadline.
        pending.result().completeOnTimeout(new Result(pending.requestId(), new Outcome.TimedOut(pending.timeout()),
                pending.timeout()), pending.timeout().toMillis(), TimeUnit.MILLISECONDS);
        pending.result().whenComplete((result, error) -> inFlight.remove(pending.requestId()));
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
            pending.result().complete(new Result(pending.requestId(),
                    new Outcome.Failed("Runtime.ExitError", "the function disconnected: " + e.getMessage()), Duration.ZERO));
        }
    }

    private void answer(HttpExchange exchange, String requestId, boolean success) throws IOException {
        InFlight call = inFlight.get(requestId);
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
        server.stop(0);
        executor.shutdownNow();
        Pending left;
        while ((left = queued.poll()) != null) {
            left.result().complete(new Result(left.requestId(), new Outcome.Failed("Runtime.Stopped", "the stack stopped"), Duration.ZERO));
        }
        inFlight.values().forEach(call -> call.pending().result().complete(new Result(call.pending().requestId(),
                new Outcome.Failed("Runtime.Stopped", "the stack stopped"), Duration.ZERO)));
    }
}
