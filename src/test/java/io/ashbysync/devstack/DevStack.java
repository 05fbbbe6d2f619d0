package io.ashbysync.devstack;

import com.sun.net.httpserver.HttpServer;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SimulatorOptions;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TemplateResources;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code make run}: the three functions of {@code template.yaml}, packaged as they ship, running locally and wired
 * as in AWS, without Docker. moto and ElasticMQ stand in for DynamoDB, SSM and SQS (tables and queues from the
 * template); the Ashby simulator, seeded with a demo tenant, stands in for Ashby; a local Lambda service runs each
 * function's runner jar against its own Runtime API; a schedule, two SQS event sources and an HTTP API invoke them.
 *
 * <p>Settings (environment): {@code DEV_CANDIDATES} (2000), {@code DEV_POLL_SECONDS} (60), {@code DEV_HTTP_PORT}
 * (8080), {@code DEV_BUDGET} (the tenant's Ashby requests per minute, 6000; the simulator's rate limit is set to it),
 * {@code DEV_LATENCY_MS} (Ashby's answer time, {@code min-max}, 40-120), {@code ASHBY_API_KEY} (set: a real Ashby
 * account at {@code ASHBY_BASE_URL}, default https://api.ashbyhq.com, instead of the simulator). Function logs go to
 * {@code target/devstack/<function>.log}. Ctrl-C stops everything it started.
 */
public final class DevStack implements AutoCloseable {
    static final String STACK_NAME = "ashby-sync-dev";
    static final Path LOG_DIRECTORY = Path.of("target", "devstack");
    private static final Duration FUNCTION_START_TIMEOUT = Duration.ofSeconds(180);
    /** Where the simulator listens when the port is free, so its URL stays the same from run to run. */
    static final int SIMULATOR_PORT = 4010;
    /**
     * The product takes Findem's files over https only; the dev stack serves its sample files over http on
     * loopback, as the tests do, so the functions it runs also accept http.
     */
    static final Map<String, String> DEV_FUNCTION_PROPERTIES = Map.of("ashby-sync.export.allowed-url-schemes", "http,https");

    /**
     * @param budget the demo tenant's Ashby request budget per minute, also the simulator's rate limit
     * @param latencyMin the simulator's shortest answer time
     */
    record Settings(int candidates, Duration pollPeriod, int httpPort, int budget, Duration latencyMin, Duration latencyMax,
                    RealAccount realAccount) {
        static Settings fromEnvironment() {
            Duration[] latency = latency("DEV_LATENCY_MS", "40-120");
            String apiKey = System.getenv("ASHBY_API_KEY");
            String baseUrl = Optional.ofNullable(System.getenv("ASHBY_BASE_URL")).filter(u -> !u.isBlank()).orElse("https://api.ashbyhq.com");
            return new Settings(positive("DEV_CANDIDATES", 2_000), Duration.ofSeconds(positive("DEV_POLL_SECONDS", 60)),
                    positive("DEV_HTTP_PORT", 8080), positive("DEV_BUDGET", 6_000), latency[0], latency[1],
                    apiKey == null || apiKey.isBlank() ? null : new RealAccount(apiKey.trim(), baseUrl));
        }

        /** {@code min-max} or one number, in milliseconds. */
        static Duration[] latency(String variable, String fallback) {
            String value = System.getenv(variable);
            String text = value == null || value.isBlank() ? fallback : value.trim();
            String[] parts = text.split("-", 2);
            try {
                long min = Long.parseLong(parts[0].trim());
                long max = parts.length == 2 ? Long.parseLong(parts[1].trim()) : min;
                if (min >= 0 && max >= min) return new Duration[] {Duration.ofMillis(min), Duration.ofMillis(max)};
            } catch (NumberFormatException ignored) {
                // Reported below with the variable's name.
            }
            throw new IllegalArgumentException(variable + " must be milliseconds as 'min-max' or one number, was '" + text + "'");
        }

        static int positive(String variable, int fallback) {
            String value = System.getenv(variable);
            if (value == null || value.isBlank()) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value.trim());
                if (parsed > 0) {
                    return parsed;
                }
            } catch (NumberFormatException ignored) {
                // Reported below with the variable's name.
            }
            throw new IllegalArgumentException(variable + " must be a positive whole number, was '" + value + "'");
        }
    }

    /** A real Ashby account to run against instead of the simulator; the key is kept in SSM, never printed. */
    record RealAccount(String apiKey, String baseUrl) {
        @Override
        public String toString() {
            return "RealAccount[" + baseUrl + "]";
        }
    }

    private final AtomicBoolean closed = new AtomicBoolean();
    // Everything started, in start order; closed in reverse so nothing outlives what it depends on.
    private final List<AutoCloseable> started = new ArrayList<>();
    private LocalAws aws;
    private AshbySimulator simulator;
    private String ashbyBaseUrl;
    private DemoTenant tenant;
    private final Map<String, LocalFunction> functions = new LinkedHashMap<>();
    private Schedule schedule;
    private SqsEventSource commandsSource;
    private CommandsEnqueueEndpoint commandsEndpoint;
    private SignedWebhookEndpoint signedWebhooks;
    private FindemEvents findemEvents;
    private SampleExport sampleExport;
    private URI httpBase;

    public static void main(String[] args) {
        Settings settings;
        Path runnerJar;
        try {
            settings = Settings.fromEnvironment();
            runnerJar = findRunnerJar(Path.of("target"));
        } catch (IllegalArgumentException | IllegalStateException e) {
            DevConsole.text("dev stack not started: " + e.getMessage());
            System.exit(2);
            return;
        }
        DevStack stack = new DevStack();
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "dev-stack-shutdown"));
        try {
            stack.start(settings, runnerJar);
        } catch (RuntimeException e) {
            DevConsole.text("\ndev stack failed to start: " + e.getMessage());
            stack.close();
            System.exit(1);
            return;
        }
        boolean answered;
        DemoTenant tenant = stack.tenant();
        // against a real account the number of candidates is Ashby's to know: the documents show as event lines
        int expected = tenant.organization() == null ? 0 : tenant.organization().candidates().size();
        try (InitialSyncProgress progress = InitialSyncProgress.watch(stack.findemEvents(), tenant.tenantId(), expected)) {
            answered = new StartupDemo(stack).run();
            // the startup poll fanned the candidates out; their documents arrive as the work queue drains
            DevConsole.quiet(expected > 0);
            try {
                if (expected > 0) progress.await(Duration.ofHours(2), Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                DevConsole.quiet(false);
            }
        }
        stack.printUsage(settings);
        if (!answered) {
            DevConsole.event("warning", "message", "a function did not answer as expected; see the lines above and target/devstack/*.log");
        }
        int status = stack.awaitFunctionExit();
        stack.close();
        System.exit(status);
    }

    /** The runner jar {@code ./mvnw package} builds; its absence means the build step was skipped. */
    static Path findRunnerJar(Path target) {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "*-runner.jar")) {
            for (Path jar : jars) {
                return jar.toAbsolutePath();
            }
        } catch (IOException noTargetDirectory) {
            // Reported below.
        }
        throw new IllegalStateException("no target/*-runner.jar: build it with ./mvnw package -DskipTests (make run does)");
    }

    void start(Settings settings, Path runnerJar) {
        aws = track(LocalAws.start(STACK_NAME));
        DevConsole.event("started", "what", "moto (DynamoDB, SSM)", "endpoint", aws.motoEndpoint());
        DevConsole.event("started", "what", "ElasticMQ (SQS)", "endpoint", aws.sqsEndpoint());
        DevConsole.event("stack", "name", STACK_NAME, "tenantsTable", aws.tableName("TenantsTable"),
                "commandsQueue", aws.queueUrl("CommandsQueue"), "workQueue", aws.queueUrl("WorkQueue"));

        findemEvents = track(FindemEvents.start(aws.sqs(), aws.queueUrl("EventsQueue")));
        DevConsole.event("started", "what", "Findem's events consumer", "queue", aws.queueUrl("EventsQueue"));

        if (settings.realAccount() != null) {
            ashbyBaseUrl = settings.realAccount().baseUrl();
            tenant = DemoTenant.registerRealAccount(aws, settings.realAccount().apiKey(), settings.budget());
            DevConsole.event("ashby", "what", "your Ashby account (ASHBY_API_KEY)", "url", ashbyBaseUrl);
        } else {
            simulator = track(startSimulator());
            simulator.setRateLimit(settings.budget());
            simulator.setLatency(settings.latencyMin(), settings.latencyMax());
            ashbyBaseUrl = simulator.baseUrl();
            tenant = DemoTenant.register(aws, simulator, settings.candidates(), settings.budget());
            DevConsole.event("started", "what", "Ashby simulator", "url", ashbyBaseUrl);
        }
        DevConsole.event("tenant", "id", tenant.tenantId(), "candidates", tenant.candidates(),
                "apiKey", "SSM " + tenant.apiKeyParameter(), "webhookSecret", "SSM " + tenant.webhookSecretParameter());

        HttpServer http = bindHttp(settings.httpPort());
        httpBase = URI.create("http://127.0.0.1:" + http.getAddress().getPort());

        TemplateFunctions template = TemplateFunctions.load();
        Map<String, String> stackEnvironment = stackEnvironment(aws, ashbyBaseUrl);
        Map<String, String> systemProperties = new LinkedHashMap<>(aws.quarkusConfig());
        systemProperties.putAll(DEV_FUNCTION_PROPERTIES);
        for (TemplateFunctions.Definition definition : template.functions()) {
            LocalFunction function = track(LocalFunction.start(definition, STACK_NAME, LocalAws.REGION, runnerJar,
                    stackEnvironment, systemProperties, LOG_DIRECTORY));
            functions.put(definition.name(), function);
        }
        // Started together, awaited one by one: the JVMs boot in parallel.
        for (LocalFunction function : functions.values()) {
            function.awaitStarted(FUNCTION_START_TIMEOUT);
            DevConsole.event("started", "function", function.name(), "pid", function.pid(), "log", function.log());
        }

        schedule = track(Schedule.start(function("poller"), STACK_NAME, LocalAws.REGION, settings.pollPeriod()));
        for (TemplateFunctions.Definition definition : template.functions()) {
            for (TemplateFunctions.QueueSource queue : definition.queueSources()) {
                SqsEventSource source = track(SqsEventSource.start(aws.sqs(), aws.queueUrl(queue.queueLogicalId()), LocalAws.REGION,
                        function(definition.name()), queue.batchSize(), queue.batchingWindow()));
                if (queue.queueLogicalId().equals("CommandsQueue")) commandsSource = source;
            }
        }

        commandsEndpoint = new CommandsEnqueueEndpoint(aws.sqs(), aws.queueUrl("CommandsQueue"));
        signedWebhooks = new SignedWebhookEndpoint(webhookUrl(), tenant.webhookSecret());
        sampleExport = new SampleExport(tenant, commandsEndpoint, httpBase);
        List<HttpApiGateway.Route> routes = new ArrayList<>();
        template.functions().forEach(definition -> definition.httpRoutes()
                .forEach(routeKey -> routes.add(HttpApiGateway.Route.of(routeKey, function(definition.name())))));
        http.createContext("/", new HttpApiGateway(routes));
        http.createContext(CommandsEnqueueEndpoint.PATH, commandsEndpoint);
        http.createContext(SampleExport.PATH, sampleExport);
        http.createContext(SampleExport.FILES_PATH, sampleExport);
        http.createContext(FindemEvents.PATH, findemEvents);
        http.createContext(SignedWebhookEndpoint.PATH, signedWebhooks);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        track(() -> http.stop(0));
        DevConsole.event("started", "what", "HTTP API", "webhookUrl", webhookUrl(), "devCommands", httpBase + CommandsEnqueueEndpoint.PATH);
        DevConsole.event("started", "what", "schedule", "function", "poller", "every", settings.pollPeriod().toSeconds() + "s");

        if (simulator == null) {
            // Ashby cannot reach this machine: webhooks need a public URL (a tunnel) registered with webhook.create
            return;
        }
        DemoWebhooks webhooks = track(DemoWebhooks.register(simulator, tenant, webhookUrl()));
        http.createContext(DemoWebhooks.PATH, webhooks);
        SampleExport.DemoIds ids = sampleExport.demoIds();
        DevConsole.event("demo-ids", "jobId", ids.jobId(), "stageId", ids.stageId(), "projectId", ids.projectId(),
                "sourceId", ids.sourceId(), "creditedToUserId", ids.creditedToUserId(),
                "candidateTextFieldId", ids.candidateTextFieldId(), "candidateNumberFieldId", ids.candidateNumberFieldId(),
                "applicationNumberFieldId", ids.applicationNumberFieldId());
    }

    /**
     * The template's stack-bound function environment, resolved to this stack: table names, queue URLs, SSM prefix;
     * and ASHBY_BASE_URL (the template parameter AshbyBaseUrl) pointing at the simulator.
     */
    private static Map<String, String> stackEnvironment(LocalAws aws, String ashbyBaseUrl) {
        Map<String, String> environment = new LinkedHashMap<>();
        aws.template().functionEnvironment().forEach((variable, value) -> environment.put(variable, switch (value) {
            case TemplateResources.EnvironmentValue.TableName table -> aws.tableName(table.logicalId());
            case TemplateResources.EnvironmentValue.QueueUrl queue -> aws.queueUrl(queue.logicalId());
            case TemplateResources.EnvironmentValue.StackScopedString string -> string.resolve(aws.stackName());
        }));
        environment.put("ASHBY_BASE_URL", ashbyBaseUrl);
        return environment;
    }

    /** On {@value #SIMULATOR_PORT} when it is free, else on any free port (printed either way). */
    private static AshbySimulator startSimulator() {
        try {
            return AshbySimulator.start(SimulatorOptions.defaults().port(SIMULATOR_PORT));
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof BindException)) {
                throw e;
            }
            DevConsole.event("warning", "message", "port " + SIMULATOR_PORT + " is in use; the Ashby simulator takes any free port");
            return AshbySimulator.start();
        }
    }

    private static HttpServer bindHttp(int port) {
        try {
            return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (BindException e) {
            throw new IllegalStateException("port " + port + " is in use on 127.0.0.1: set DEV_HTTP_PORT to a free one");
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        synchronized (started) {
            started.add(resource);
        }
        return resource;
    }

    LocalFunction function(String name) {
        return functions.get(name);
    }

    AshbySimulator simulator() {
        return simulator;
    }

    FindemEvents findemEvents() {
        return findemEvents;
    }

    List<LocalFunction> functions() {
        return List.copyOf(functions.values());
    }

    LocalAws aws() {
        return aws;
    }

    CommandsEnqueueEndpoint commands() {
        return commandsEndpoint;
    }

    SampleExport sampleExport() {
        return sampleExport;
    }

    URI httpBase() {
        return httpBase;
    }

    DemoTenant tenant() {
        return tenant;
    }

    Schedule schedule() {
        return schedule;
    }

    SqsEventSource commandsSource() {
        return commandsSource;
    }

    CommandsEnqueueEndpoint commandsEndpoint() {
        return commandsEndpoint;
    }

    SignedWebhookEndpoint signedWebhooks() {
        return signedWebhooks;
    }

    URI webhookUrl() {
        return httpBase.resolve("/webhooks/ashby/" + tenant.tenantId());
    }

    /**
     * Runs until Ctrl-C (the shutdown hook closes the stack) or until a function's process dies or reports an
     * init error, which Lambda would surface as a failed function: that stops the stack with status 1.
     */
    private int awaitFunctionExit() {
        List<CompletableFuture<?>> failures = new ArrayList<>();
        functions.values().forEach(f -> {
            failures.add(f.onExit());
            failures.add(f.initError());
        });
        CompletableFuture.anyOf(failures.toArray(CompletableFuture[]::new)).join();
        if (closed.get()) {
            return 0;
        }
        functions.values().stream().filter(f -> f.onExit().isDone() || f.initError().isDone()).forEach(f -> DevConsole.text(
                "\nfunction " + f.name() + " stopped; the stack stops too. End of " + f.log() + ":\n    "
                        + String.join("\n    ", f.logTail(15))));
        return 1;
    }

    private void printUsage(Settings settings) {
        String commandId = "dev-" + System.currentTimeMillis();
        DevConsole.text("""

                The dev stack is running. Ctrl-C stops it (and every process it started).
                  poller    every %1$ds (DEV_POLL_SECONDS); log %2$s
                  commands  consumes CommandsQueue and WorkQueue; log %3$s
                  webhooks  %4$s; log %5$s (admin, status and search routes: function api)
                  Ashby %6$s; Findem's events consumer prints each event from EventsQueue ("event" lines)

                Export a new sample candidate to the demo tenant (mode application, lead or prospect); the command id is
                printed, then its command.result when it arrives:
                  curl -sS -X POST '%7$s/dev/commands/sample-export?mode=application'
                  curl -sS '%7$s/dev/events?commandId=<commandId>'      (all recent events: %7$s/dev/events)

                Send any command (put on CommandsQueue with MessageGroupId=tenantId, MessageDeduplicationId=commandId);
                infra/dev/export-command.json is a candidate.export template (its placeholders are the demo-ids above):
                  curl -sS -X POST %7$s/dev/commands -H 'Content-Type: application/json' \\
                    -d '{"type":"connection.check","commandId":"%8$s","tenantId":"%9$s","requestedBy":{"email":"dev@example.com"},"payload":{}}'

                Recruiter activity in the simulator; Ashby's signed webhooks reach the webhooks function ("delivery" lines):
                  curl -sS -X POST '%7$s/dev/activity?actions=5'

                Send a webhook signed with the tenant's secret (Ashby-Signature added by the dev stack):
                  curl -sS -X POST %7$s/dev/webhooks -H 'Content-Type: application/json' \\
                    -d '{"webhookActionId":"dev-%8$s","action":"ping","data":{"webhookActionType":"ping"}}'

                Search the mirror and see job cards (the api function's routes; IAM is not enforced locally):
                  curl -sS '%7$s/tenants/%9$s/candidates?status=Active&limit=5'
                  curl -sS '%7$s/tenants/%9$s/jobs?limit=5'
                The status page: %7$s/admin/status

                The same webhook unsigned, straight to the HTTP API (expect 401):
                  curl -sS -X POST %4$s -H 'Content-Type: application/json' -d '{"action":"ping","data":{}}'
                """.formatted(settings.pollPeriod().toSeconds(), function("poller").log(), function("commands").log(),
                webhookUrl(), function("webhooks").log(), ashbyBaseUrl, httpBase, commandId, tenant.tenantId()));
    }

    /** Stops everything this stack started, in reverse order; safe to call twice (main and the shutdown hook). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<AutoCloseable> toClose;
        synchronized (started) {
            toClose = new ArrayList<>(started);
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                DevConsole.event("warning", "message", "while stopping: " + e);
            }
        }
        DevConsole.event("stopped", "what", "dev stack");
    }
}
