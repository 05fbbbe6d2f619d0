package io.ashbysync.devstack;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * What AWS's managed {@code java21} runtime does inside the function's JVM, for a packaged function run locally: reads
 * {@code _HANDLER} ({@code class::method}, from template.yaml), instantiates the handler class (Quarkus boots in its
 * static initializer, so a failure there is an init error), then loops on the Runtime API at
 * {@code AWS_LAMBDA_RUNTIME_API}: {@code next}, call the handler, post the response or the error.
 *
 * <p>Needed because Quarkus only polls the Runtime API itself in native images; in JVM mode Lambda's Java runtime
 * calls {@code QuarkusStreamHandler::handleRequest}. This class runs in the child JVM with nothing but the JDK, the
 * function's jar and its lib/ (aws-lambda-java-core), so it uses no other library.
 */
public final class LambdaJavaRuntime {
    private static final String API = "/2018-06-01/runtime";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    private LambdaJavaRuntime(String runtimeApi) {
        this.base = "http://" + runtimeApi + API;
    }

    public static void main(String[] args) throws Exception {
        LambdaJavaRuntime runtime = new LambdaJavaRuntime(requiredEnvironment("AWS_LAMBDA_RUNTIME_API"));
        RequestStreamHandler handler;
        try {
            handler = loadHandler(requiredEnvironment("_HANDLER"));
        } catch (Throwable e) {
            Throwable cause = e instanceof InvocationTargetException || e instanceof ExceptionInInitializerError ? e.getCause() : e;
            e.printStackTrace();
            runtime.post("/init/error", errorJson(cause));
            System.exit(1);
            return;
        }
        runtime.loop(handler);
    }

    private static RequestStreamHandler loadHandler(String handler) throws ReflectiveOperationException {
        String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        Object instance = Class.forName(className).getDeclaredConstructor().newInstance();
        if (!(instance instanceof RequestStreamHandler streamHandler)) {
            throw new IllegalStateException(className + " is not a RequestStreamHandler");
        }
        return streamHandler;
    }

    private void loop(RequestStreamHandler handler) throws IOException, InterruptedException {
        while (true) {
            HttpResponse<byte[]> next = http.send(HttpRequest.newBuilder(URI.create(base + "/invocation/next")).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            InvocationContext context = new InvocationContext(next.headers());
            next.headers().firstValue("Lambda-Runtime-Trace-Id")
                    .ifPresent(trace -> System.setProperty("com.amazonaws.xray.traceHeader", trace));
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(next.body()), output, context);
                post("/invocation/" + context.getAwsRequestId() + "/response", output.toByteArray());
            } catch (Throwable e) {
                e.printStackTrace();
                post("/invocation/" + context.getAwsRequestId() + "/error", errorJson(e));
            }
        }
    }

    private void post(String path, byte[] body) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Lambda's error document: errorMessage, errorType, stackTrace. */
    static byte[] errorJson(Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        StringBuilder frames = new StringBuilder();
        for (String line : trace.toString().split("\n")) {
            frames.append(frames.isEmpty() ? "" : ",").append(quote(line.strip()));
        }
        return ("{\"errorMessage\":" + quote(String.valueOf(error.getMessage())) + ",\"errorType\":"
                + quote(error.getClass().getName()) + ",\"stackTrace\":[" + frames + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> quoted.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return quoted.append('"').toString();
    }

    private static String requiredEnvironment(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set");
        }
        return value;
    }

    /** The Context Lambda's Java runtime passes: request id and deadline from the headers, the rest from the environment. */
    private static final class InvocationContext implements Context {
        private final String requestId;
        private final String functionArn;
        private final long deadlineMillis;

        InvocationContext(java.net.http.HttpHeaders headers) {
            this.requestId = headers.firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
            this.functionArn = headers.firstValue("Lambda-Runtime-Invoked-Function-Arn").orElse("");
            this.deadlineMillis = headers.firstValue("Lambda-Runtime-Deadline-Ms").map(Long::parseLong).orElse(Long.MAX_VALUE);
        }

        @Override public String getAwsRequestId() { return requestId; }
        @Override public String getLogGroupName() { return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME"); }
        @Override public String getLogStreamName() { return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME"); }
        @Override public String getFunctionName() { return System.getenv("AWS_LAMBDA_FUNCTION_NAME"); }
        @Override public String getFunctionVersion() { return System.getenv("AWS_LAMBDA_FUNCTION_VERSION"); }
        @Override public String getInvokedFunctionArn() { return functionArn; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() {
            return (int) Math.max(0, Math.min(Integer.MAX_VALUE, deadlineMillis - System.currentTimeMillis()));
        }
        @Override public int getMemoryLimitInMB() { return Integer.parseInt(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")); }
        @Override public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override public void log(String message) { System.out.print(message); }
                @Override public void log(byte[] message) { System.out.write(message, 0, message.length); }
            };
        }
    }
}
