package io.ashbysync.ashby;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ashbysync.ashby.model.ApiKeyInfo;
import io.ashbysync.ashby.model.Candidate;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.Fault;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** Every log line written while the client succeeds and fails in every way holds neither the key nor its Basic form. */
@QuarkusTest
class SecretsNeverLoggedTest {
    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    AshbyClient client;
    @Inject
    TenantStore tenants;

    private static final class Capture extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder(record.getLoggerName()).append(' ');
            line.append(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
            if (record instanceof ExtLogRecord ext) line.append(' ').append(ext.getMdcCopy());
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append(' ').append(trace);
            }
            lines.add(line.toString());
        }

        @Override public void flush() {}
        @Override public void close() {}
    }

    @Test
    void apiKey_neverAppearsInAnyLogLine() {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        String basic = Base64.getEncoder().encodeToString((tenant.apiKey() + ":").getBytes(StandardCharsets.UTF_8));
        Capture capture = new Capture();
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        List<Logger> verbose = List.of(Logger.getLogger("io.ashbysync"), Logger.getLogger("io.quarkus.rest.client"),
                Logger.getLogger("org.jboss.resteasy.reactive.client"), Logger.getLogger("software.amazon.awssdk"));
        verbose.forEach(l -> l.setLevel(Level.FINEST));
        root.addHandler(capture);
        try {
            simulator.setVersionDeprecated(true);
            AshbySession ashby = client.forTenant(tenant.config());
            simulator.faults().next("apiKey.info", Fault.status(503)).next("apiKey.info", Fault.rateLimited(0));
            ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class);
            simulator.faults().next("candidate.create", Fault.delayAfterApply(Duration.ofSeconds(5)));
            catchThrowable(() -> ashby.call(AshbyEndpoint.CANDIDATE_CREATE, Map.of("name", "Logged Person"), Candidate.class));
            simulator.faults().next("candidate.info", Fault.html(200));
            catchThrowable(() -> ashby.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", "7b0e4fd4-2a4b-4ed1-9e4f-5b6a1a1d7c11"), Candidate.class));
            tenant.organization().deactivateApiKey();
            catchThrowable(() -> ashby.call(AshbyEndpoint.API_KEY_INFO, null, ApiKeyInfo.class));
        } finally {
            root.removeHandler(capture);
            verbose.forEach(l -> l.setLevel(null));
            simulator.setVersionDeprecated(false);
            simulator.faults().clear();
        }

        assertThat(capture.lines).as("the scenario logged something to check").isNotEmpty();
        assertThat(capture.lines).anySatisfy(line -> assertThat(line).contains("deprecated"));
        assertThat(capture.lines).noneSatisfy(line -> assertThat(line).contains(tenant.apiKey()));
        assertThat(capture.lines).noneSatisfy(line -> assertThat(line).contains(basic));
    }
}
