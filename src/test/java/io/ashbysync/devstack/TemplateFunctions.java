package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.testing.CloudFormationYaml;
import io.ashbysync.testing.TemplateResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code AWS::Serverless::Function}s of {@code template.yaml} as the dev stack runs them: timeout, memory and
 * the literal environment values (Globals merged with the function's own, e.g. {@code QUARKUS_LAMBDA_HANDLER},
 * {@code JAVA_TOOL_OPTIONS}). Values that name stack resources come from {@link io.ashbysync.testing.LocalAws}.
 */
record TemplateFunctions(List<Definition> functions) {

    /**
     * @param name the local function name: the logical id without {@code Function}, lower-case ({@code WebhooksFunction}
     *             → {@code webhooks}); two functions may run the same handler ({@code QUARKUS_LAMBDA_HANDLER})
     * @param handler the Lambda handler string ({@code class::method}), given to the runtime as {@code _HANDLER}
     * @param literalEnvironment variables whose template value is a plain string
     * @param httpRoutes the route keys ({@code METHOD /path/{param}}) of its {@code HttpApi} events
     * @param queueSources its {@code SQS} events
     */
    record Definition(String logicalId, String name, String handler, Duration timeout, int memoryMegabytes,
                      Map<String, String> literalEnvironment, List<String> httpRoutes, List<QueueSource> queueSources) {}

    /** An SQS event source mapping: the queue's logical id, Lambda's batch size and batching window. */
    record QueueSource(String queueLogicalId, int batchSize, Duration batchingWindow) {}

    static TemplateFunctions load() {
        JsonNode template = CloudFormationYaml.read(TemplateResources.TEMPLATE);
        JsonNode globals = template.path("Globals").path("Function");
        List<Definition> functions = new ArrayList<>();
        template.path("Resources").properties().forEach(resource -> {
            if (!resource.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                return;
            }
            JsonNode properties = resource.getValue().path("Properties");
            Map<String, String> environment = new LinkedHashMap<>();
            putLiterals(globals.path("Environment").path("Variables"), environment);
            putLiterals(properties.path("Environment").path("Variables"), environment);
            String name = resource.getKey().replaceFirst("Function$", "").toLowerCase(Locale.ROOT);
            if (environment.get("QUARKUS_LAMBDA_HANDLER") == null) {
                throw new IllegalStateException(resource.getKey() + " in template.yaml sets no QUARKUS_LAMBDA_HANDLER");
            }
            String handler = properties.path("Handler").asText(globals.path("Handler").asText(""));
            List<String> httpRoutes = new ArrayList<>();
            List<QueueSource> queueSources = new ArrayList<>();
            properties.path("Events").forEach(event -> {
                JsonNode source = event.path("Properties");
                switch (event.path("Type").asText()) {
                    case "HttpApi" -> httpRoutes.add(source.path("Method").asText().toUpperCase(Locale.ROOT) + " " + source.path("Path").asText());
                    // Lambda's defaults for a standard queue: 10 messages, no batching window
                    case "SQS" -> queueSources.add(new QueueSource(source.path("Queue").path("Fn::GetAtt").path(0).asText(),
                            source.path("BatchSize").asInt(10), Duration.ofSeconds(source.path("MaximumBatchingWindowInSeconds").asInt(0))));
                    default -> { }
                }
            });
            functions.add(new Definition(resource.getKey(), name, handler,
                    Duration.ofSeconds(setting(properties, globals, "Timeout", 3)),
                    setting(properties, globals, "MemorySize", 128), Map.copyOf(environment), List.copyOf(httpRoutes),
                    List.copyOf(queueSources)));
        });
        return new TemplateFunctions(List.copyOf(functions));
    }

    Definition named(String name) {
        return functions.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no function " + name + " in template.yaml"));
    }

    /** A function's own value wins over Globals; Lambda's default otherwise. */
    private static int setting(JsonNode properties, JsonNode globals, String key, int lambdaDefault) {
        return properties.has(key) ? properties.get(key).asInt() : globals.path(key).asInt(lambdaDefault);
    }

    private static void putLiterals(JsonNode variables, Map<String, String> environment) {
        variables.properties().forEach(variable -> {
            if (variable.getValue().isValueNode()) {
                environment.put(variable.getKey(), variable.getValue().asText());
            }
        });
    }
}
