package io.ashbysync.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One function's packaged code (the runner jar and its lib/, i.e. the content of function.zip) in a child JVM, run by
 * {@link LambdaJavaRuntime} as Lambda's java21 runtime runs it, with the environment Lambda would give it and the
 * local endpoints as {@code -D} system properties. Its stdout and stderr (JSON logs) go to one log file.
 */
final class FunctionProcess implements AutoCloseable {
    private static final long STOP_SECONDS = 10;

    private final String functionName;
    private final Process process;
    private final Path log;

    private FunctionProcess(String functionName, Process process, Path log) {
        this.functionName = functionName;
        this.process = process;
        this.log = log;
    }

    /**
     * @param environment the complete environment: the child does not inherit this JVM's, as a Lambda does not
     *     inherit the deployer's
     */
    static FunctionProcess start(String functionName, Path runnerJar, Path runtimeClasses, int memoryMegabytes,
                                 Map<String, String> environment,
                                 Map<String, String> systemProperties, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The JVM sizes its heap from the memory it sees; Lambda's is the function's MemorySize.
        command.add("-XX:MaxRAM=" + memoryMegabytes + "m");
        // What survives each collection (the live heap) says whether memory grows with the work; RSS only shows the
        // heap the JVM has grown into.
        command.add("-Xlog:gc:file=" + gcLog(log));
        systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        // The runner jar's manifest Class-Path brings lib/; the runtime class comes from the test classes, never the artifact.
        command.add("-cp");
        command.add(runnerJar + java.io.File.pathSeparator + runtimeClasses);
        command.add(LambdaJavaRuntime.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(log.getParent());
            return new FunctionProcess(functionName, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + functionName + " function (" + runnerJar + ")", e);
        }
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** The function's GC log, beside its output log. */
    static Path gcLog(Path log) {
        return log.resolveSibling(log.getFileName().toString().replaceFirst("\\.log$", "") + "-gc.log");
    }

    /** The end of the log, to show why a function did not start. */
    List<String> logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    /** SIGTERM first so Quarkus shuts down cleanly; killed if it has not exited in time. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return functionName + " (pid " + process.pid() + ")";
    }
}
