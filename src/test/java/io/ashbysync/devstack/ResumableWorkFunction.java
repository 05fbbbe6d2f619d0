package io.ashbysync.devstack;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in function for {@link LocalFunctionTimeoutTest}, run by {@link LambdaJavaRuntime} in a child JVM with
 * nothing but the JDK and aws-lambda-java-core. Each SQS message's body is {@code <job> <steps> <millisPerStep>}; the
 * function does the job's steps one after the other, each taking {@code millisPerStep}, and records each as a line
 * {@code <job> <step> <pid>} in the file named by the system property {@value #STORE}: its durable effects. Steps
 * already recorded are skipped, so a redelivery resumes where a killed invocation stopped, as the product's commands
 * resume from their saved progress. Each init (cold start) records {@code init <pid>}.
 */
public final class ResumableWorkFunction implements RequestStreamHandler {
    static final String STORE = "resumable-work.store";
    private static final Pattern BODY = Pattern.compile("\"body\":\"([^\"]*)\"");
    private static final long PID = ProcessHandle.current().pid();

    static {
        record("init " + PID);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Matcher body = BODY.matcher(new String(input.readAllBytes(), StandardCharsets.UTF_8));
        while (body.find()) {
            String[] job = body.group(1).split(" ");
            int steps = Integer.parseInt(job[1]);
            long millisPerStep = Long.parseLong(job[2]);
            for (int step = 1; step <= steps; step++) {
                if (done(job[0], step)) continue;
                try {
                    Thread.sleep(millisPerStep); // the step's own work, not a wait for anything
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                record(job[0] + " " + step + " " + PID);
            }
        }
        output.write("{\"batchItemFailures\":[]}".getBytes(StandardCharsets.UTF_8));
    }

    private static boolean done(String job, int step) throws IOException {
        String prefix = job + " " + step + " ";
        return Files.readAllLines(store()).stream().anyMatch(line -> line.startsWith(prefix));
    }

    private static void record(String line) {
        try {
            Files.writeString(store(), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path store() {
        return Path.of(System.getProperty(STORE));
    }
}
