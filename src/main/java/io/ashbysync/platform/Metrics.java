package io.ashbysync.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Metrics as CloudWatch Embedded Metric Format: one JSON object per line on stdout, which CloudWatch Logs turns into
 * metrics of namespace {@value #NAMESPACE} without an API call (no PutMetricData latency, no extra IAM). Dimension
 * sets are {@code [Function]} (alarms) and {@code [Tenant]} (who is affected); other fields (endpoint, command type)
 * are properties, searchable in Logs Insights without paying for a metric per value.
 * Off when {@code ashby-sync.metrics.enabled=false} (the tests, to keep their output readable).
 */
public final class Metrics {
    public static final String NAMESPACE = "AshbySync";
    public static final String ASHBY_CALLS = "AshbyCalls";
    public static final String ASHBY_ERRORS = "AshbyErrors";
    public static final String ASHBY_THROTTLES = "AshbyThrottles";
    public static final String SYNC_LAG = "SyncLagSeconds";
    public static final String COMMANDS_SUCCEEDED = "CommandsSucceeded";
    public static final String COMMANDS_FAILED = "CommandsFailed";
    public static final String COMMANDS_RETRIED = "CommandsRetried";
    public static final String WEBHOOKS_SILENT = "WebhooksSilent";
    public static final String QUARANTINED = "QuarantinedItems";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile Boolean enabled;
    private static volatile String function;
    /** Where lines go; stdout in Lambda. */
    static volatile PrintStream out = System.out;
    static Clock clock = Clock.systemUTC();

    private Metrics() {}

    /** One Ashby request that got an answer (a refusal or a 429 included). */
    public static void ashbyCall(String tenantId, String endpoint, boolean error, boolean throttled) {
        Map<String, Number> values = new LinkedHashMap<>();
        values.put(ASHBY_CALLS, 1);
        values.put(ASHBY_ERRORS, error ? 1 : 0);
        values.put(ASHBY_THROTTLES, throttled ? 1 : 0);
        emit(tenantId, values, "Count", Map.of("endpoint", endpoint));
    }

    /** How long ago the tenant's mirror last caught up with Ashby. */
    public static void syncLag(String tenantId, long seconds) {
        emit(tenantId, Map.of(SYNC_LAG, seconds), "Seconds", Map.of());
    }

    /** How many of the tenant's webhook types no longer bring changes (io.ashbysync.webhook.WebhookSilence: silent or disabled). */
    public static void webhooksSilent(String tenantId, long count) {
        emit(tenantId, Map.of(WEBHOOKS_SILENT, count), "Count", Map.of());
    }

    /** An item set aside as unusable (io.ashbysync.tenant.Quarantine), by what kind of item it is. */
    public static void quarantined(String tenantId, String source) {
        emit(tenantId, Map.of(QUARANTINED, 1), "Count", Map.of("source", source));
    }

    /** A command's outcome: {@code succeeded}, {@code failed} (answered with an error) or {@code retried}. */
    public static void commandOutcome(String tenantId, String commandType, String outcome) {
        String metric = switch (outcome) {
            case "succeeded" -> COMMANDS_SUCCEEDED;
            case "retried" -> COMMANDS_RETRIED;
            default -> COMMANDS_FAILED;
        };
        emit(tenantId, Map.of(metric, 1), "Count", Map.of("commandType", String.valueOf(commandType)));
    }

    private static void emit(String tenantId, Map<String, Number> values, String unit, Map<String, String> properties) {
        if (!enabled()) return;
        out.println(line(clock.millis(), functionName(), tenantId, values, unit, properties));
    }

    /** The EMF document: {@code _aws} metadata, then the dimension values, metric values and properties. */
    static String line(long timestamp, String function, String tenantId, Map<String, Number> values, String unit,
                       Map<String, String> properties) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode aws = root.putObject("_aws").put("Timestamp", timestamp);
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject().put("Namespace", NAMESPACE);
        ArrayNode dimensionSets = directive.putArray("Dimensions");
        dimensionSets.addArray().add("Function");
        dimensionSets.addArray().add("Tenant");
        ArrayNode metrics = directive.putArray("Metrics");
        values.keySet().forEach(name -> metrics.addObject().put("Name", name).put("Unit", unit));
        root.put("Function", function);
        root.put("Tenant", tenantId == null ? "-" : tenantId);
        values.forEach((name, value) -> root.put(name, value.longValue()));
        properties.forEach(root::put);
        return root.toString();
    }

    private static boolean enabled() {
        Boolean on = enabled;
        if (on == null) {
            on = ConfigProvider.getConfig().getOptionalValue("ashby-sync.metrics.enabled", Boolean.class).orElse(true);
            enabled = on;
        }
        return on;
    }

    private static String functionName() {
        String name = function;
        if (name == null) {
            name = ConfigProvider.getConfig().getOptionalValue("quarkus.lambda.handler", String.class).orElse("unknown");
            function = name;
        }
        return name;
    }

    /** For tests of the metric lines themselves. */
    static void enableInto(PrintStream target) {
        out = target;
        enabled = true;
    }
}
