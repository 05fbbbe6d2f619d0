package io.ashbysync.devstack;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One function of the template as Lambda runs it: its Runtime API and the packaged code polling it. */
final class LocalFunction implements AutoCloseable {
    static final String ACCOUNT_ID = "000000000000";

    /** Why a function did not come up; the message says what the function reported and where its log is. */
    static final class StartFailedException extends RuntimeException {
        StartFailedException(String message) {
            super(message);
        }
    }

    private final TemplateFunctions.Definition definition;
    private final LocalLambdaRuntime runtime;
    private final FunctionProcess process;

    private LocalFunction(TemplateFunctions.Definition definition, LocalLambdaRuntime runtime, FunctionProcess process) {
        this.definition = definition;
        this.runtime = runtime;
        this.process = process;
    }

    /**
     * Starts the function's runtime API and its process; returns at once ({@link #awaitStarted} waits for init).
     *
     * @param stackEnvironment the template's stack-bound variables resolved locally (tables, queues, SSM prefix,
     *     Ashby base URL) and anything the host must pass through (PATH)
     */
    static LocalFunction start(TemplateFunctions.Definition definition, String stackName, String region, Path runnerJar,
                               Map<String, String> stackEnvironment, Map<String, String> systemProperties, Path logDirectory) {
        String functionName = stackName + "-" + definition.name();
        LocalLambdaRuntime runtime = LocalLambdaRuntime.start(definition.name(),
                "arn:aws:lambda:" + region + ":" + ACCOUNT_ID + ":function:" + functionName + ":live");
        Map<String, String> environment = new LinkedHashMap<>(definition.literalEnvironment());
        environment.putAll(stackEnvironment);
        environment.put("AWS_LAMBDA_RUNTIME_API", runtime.address());
        environment.put("_HANDLER", definition.handler());
        environment.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
        environment.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(definition.memoryMegabytes()));
        environment.put("AWS_REGION", region);
        environment.put("AWS_DEFAULT_REGION", region);
        environment.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + functionName);
        environment.put("AWS_LAMBDA_LOG_STREAM_NAME", "local/[$LATEST]" + Long.toHexString(System.nanoTime()));
        environment.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        environment.put("TZ", ":UTC");
        try {
            FunctionProcess process = FunctionProcess.start(definition.name(), runnerJar, runtimeClasses(), definition.memoryMegabytes(),
                    environment, systemProperties, logDirectory.resolve(definition.name() + ".log"));
            return new LocalFunction(definition, runtime, process);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /** Where {@link LambdaJavaRuntime} was loaded from (target/test-classes), for the child's class path. */
    private static Path runtimeClasses() {
        try {
            return Path.of(LambdaJavaRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + LambdaJavaRuntime.class.getName(), e);
        }
    }

    String name() {
        return definition.name();
    }

    Path log() {
        return process.log();
    }

    Path gcLog() {
        return FunctionProcess.gcLog(process.log());
    }

    long pid() {
        return process.pid();
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** Waits until the function asks for its first event; fails on init/error, on exit, or after {@code within}. */
    void awaitStarted(Duration within) {
        CompletableFuture<Object> first = CompletableFuture.anyOf(runtime.ready(), runtime.initError(), process.onExit());
        try {
            first.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw failure("did not ask for an event within " + within.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw failure("failed to start: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while starting");
        }
        if (runtime.initError().isDone()) {
            LocalLambdaRuntime.InitError error = runtime.initError().join();
            throw failure("init/error " + error.errorType() + ": " + error.errorMessage());
        }
        if (!runtime.ready().isDone()) {
            throw failure("exited with status " + process.onExit().join().exitValue() + " before asking for an event");
        }
    }

    private StartFailedException failure(String what) {
        return new StartFailedException("function " + definition.name() + " " + what + "; log " + process.log()
                + ":\n    " + String.join("\n    ", process.logTail(15)));
    }

    /** Invokes synchronously (RequestResponse): returns when the function answered or timed out. */
    LocalLambdaRuntime.Result invoke(String eventJson) {
        return runtime.invoke(eventJson.getBytes(StandardCharsets.UTF_8), definition.timeout()).join();
    }

    /** The function's init errors, for a watcher that stops the stack when a function fails after start. */
    CompletableFuture<LocalLambdaRuntime.InitError> initError() {
        return runtime.initError();
    }

    List<String> logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            runtime.close();
        }
    }
}
