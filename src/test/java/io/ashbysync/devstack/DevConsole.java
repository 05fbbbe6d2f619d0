package io.ashbysync.devstack;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * What the dev stack prints: one line per event, {@code <time> <event> key=value ...}, so a developer can read it
 * and grep it. Values with spaces are quoted.
 */
final class DevConsole {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final PrintStream OUT = System.out;

    /** While a progress bar is drawn, per-event lines would tear it: they are held back. */
    private static volatile boolean quiet;

    private DevConsole() {}

    static void quiet(boolean on) {
        quiet = on;
    }

    /** One progress line: redrawn in place on a terminal, a plain line otherwise (CI logs, files). */
    static void progress(String line, boolean last) {
        synchronized (OUT) {
            if (System.console() != null) {
                OUT.print("\r" + line + (last ? System.lineSeparator() : ""));
                OUT.flush();
            } else {
                OUT.println(line);
            }
        }
    }

    /** @param keyValues alternating keys and values */
    static void event(String event, Object... keyValues) {
        if (quiet) return;
        StringBuilder line = new StringBuilder(TIME.format(LocalTime.now().truncatedTo(ChronoUnit.MILLIS)))
                .append("  ").append(String.format("%-10s", event));
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=').append(quoted(String.valueOf(keyValues[i + 1])));
        }
        synchronized (OUT) {
            OUT.println(line);
        }
    }

    /** A free-form block (help text, failure details), printed as is. */
    static void text(String text) {
        synchronized (OUT) {
            OUT.println(text);
        }
    }

    /** One line per invocation: function, trigger, duration, outcome, and what the trigger adds. */
    static void invocation(String function, String trigger, LocalLambdaRuntime.Result result, Object... details) {
        Object[] fields = new Object[8 + details.length];
        fields[0] = "function";
        fields[1] = function;
        fields[2] = "trigger";
        fields[3] = trigger;
        fields[4] = "duration";
        fields[5] = result.duration().toMillis() + "ms";
        fields[6] = "outcome";
        fields[7] = switch (result.outcome()) {
            case LocalLambdaRuntime.Outcome.Succeeded ignored -> "succeeded";
            case LocalLambdaRuntime.Outcome.Failed failed -> "error:" + failed.errorType() + " (" + failed.errorMessage() + ")";
            case LocalLambdaRuntime.Outcome.TimedOut timedOut -> "timed-out after " + timedOut.timeout().toSeconds() + "s";
        };
        System.arraycopy(details, 0, fields, 8, details.length);
        event("invoke", fields);
    }

    private static String quoted(String value) {
        return value.isEmpty() || value.chars().anyMatch(c -> c == ' ' || c == '"') ? '"' + value.replace("\"", "\\\"") + '"' : value;
    }
}
