package io.ashbysync.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The EMF document CloudWatch turns into metrics: metadata, dimension values and metric values in one line. */
class MetricsTest {
    @Test
    void ashbyCallLine_isEmbeddedMetricFormat() throws Exception {
        Map<String, Number> values = new LinkedHashMap<>();
        values.put(Metrics.ASHBY_CALLS, 1);
        values.put(Metrics.ASHBY_THROTTLES, 1);
        String line = Metrics.line(1_700_000_000_000L, "poller", "acme", values, "Count", Map.of("endpoint", "candidate.list"));

        assertThat(line).doesNotContain("\n");
        JsonNode root = new ObjectMapper().readTree(line);
        JsonNode directive = root.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(root.path("_aws").path("Timestamp").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(directive.path("Namespace").asText()).isEqualTo("AshbySync");
        assertThat(directive.path("Dimensions").toString()).isEqualTo("[[\"Function\"],[\"Tenant\"]]");
        assertThat(directive.path("Metrics").toString())
                .isEqualTo("[{\"Name\":\"AshbyCalls\",\"Unit\":\"Count\"},{\"Name\":\"AshbyThrottles\",\"Unit\":\"Count\"}]");
        // every dimension and metric named in the directive has its value at the top level
        assertThat(root.path("Function").asText()).isEqualTo("poller");
        assertThat(root.path("Tenant").asText()).isEqualTo("acme");
        assertThat(root.path("AshbyCalls").asLong()).isEqualTo(1);
        assertThat(root.path("AshbyThrottles").asLong()).isEqualTo(1);
        assertThat(root.path("endpoint").asText()).isEqualTo("candidate.list");
    }
}
