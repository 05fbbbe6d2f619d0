package io.ashbysync.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.poll.PollService;
import io.ashbysync.poll.TenantSync;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.HttpFunctionServer;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.webhook.WebhookRouteTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The status page as a person sees it: rendered by Debian's Chromium (headless) from the `http` function served on
 * a real port, after a real poller sync of a seeded tenant. Skipped only on a developer machine without
 * /usr/bin/chromium; in CI (CI=true) a missing browser fails the test.
 */
@QuarkusTest
@TestProfile(WebhookRouteTest.WebhooksProfile.class)
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final int CANDIDATES = 12;

    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantSync sync;
    @Inject
    TenantStore tenants;
    @Inject
    @jakarta.inject.Named("http")
    io.ashbysync.http.HttpHandler http;
    @Inject
    SyncHealth health;

    @Test
    void statusPage_showsARealSync_inChromium() throws Exception {
        boolean inCi = "true".equals(System.getenv("CI"));
        if (!Files.isExecutable(CHROMIUM)) {
            assertThat(inCi).as("CI must have Debian's chromium (.ci/run installs it)").isFalse();
            assumeTrue(false, "skipped: /usr/bin/chromium is not installed (apt-get install chromium)");
        }
        try (HttpFunctionServer server = HttpFunctionServer.start(TenantOperationsTest.ROUTES, HttpFunctionServer.inProcess(http))) {
            String tenantId = TenantOperationsTest.newTenantId();
            String apiKey = TenantOperationsTest.newKey();
            SimulatedOrganization org = simulator.createOrganization(apiKey);
            SeededTenantGenerator.seed(7).candidates(CANDIDATES).generate(org);
            assertThat(TenantOperationsTest.call("POST /admin/tenants", "/admin/tenants", java.util.Map.of(), java.util.Map.of(
                    "tenantId", tenantId, "apiKey", apiKey, "webhookBaseUrl", server.baseUrl().toString())).status()).isEqualTo(201);
            // the poller's own code for one tenant, then what the poller handler records after its pass
            assertThat(sync.sync(tenants.get(tenantId), Instant.now().plusSeconds(120))).isEqualTo(TenantSync.Outcome.DRAINED);
            health.afterPass(new PollService.PollSummary(List.of(tenantId), List.of(), List.of(), List.of(), 0));

            // Through the Lambda event server first: the page's beans are then created on the function's own thread
            // (Quarkus cannot create the AwsResources config mapping lazily from the test server's pool threads).
            String viaLambda = io.ashbysync.testing.LambdaInvoker.invoke(io.ashbysync.testing.LambdaEvents.http("GET /admin/status",
                    "/admin/status", java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), new byte[0]));
            assertThat(viaLambda).contains("\"statusCode\":200");
            java.net.http.HttpResponse<String> direct = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/admin/status")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(direct.statusCode()).as(direct.body()).isEqualTo(200);
            assertThat(direct.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");

            String dom = chromium(server.baseUrl() + "/admin/status", "--dump-dom");

            assertThat(dom).contains("<title>ashby-sync status</title>");
            String section = section(dom, tenantId);
            assertThat(section).contains("<span class=\"ok\">ACTIVE</span>");
            assertThat(row(section, "phase")).containsExactly("drained");
            assertThat(row(section, "last success").get(0)).endsWith("UTC");
            assertThat(row(section, "lag").get(0)).matches("\\d+ s");
            assertThat(row(section, "last error")).containsExactly("none");
            List<String> candidates = row(section, "candidates");
            assertThat(candidates.get(0)).isEqualTo("candidates");
            assertThat(candidates.get(2)).as("candidates listed by the last full pass").isEqualTo(Integer.toString(CANDIDATES));
            assertThat(section.split("<td class=\"ok\">yes</td>", -1).length - 1).isEqualTo(TenantWebhooks.TYPES.size());
            assertThat(row(dom, "work")).hasSize(4);
            // a picture for people reviewing the page
            chromium(server.baseUrl() + "/admin/status", "--screenshot=" + Path.of("target/status-page.png").toAbsolutePath(),
                    "--window-size=1200,1600");
        }
    }

    /** The tenant's section of the page as Chromium built it. */
    private static String section(String dom, String tenantId) {
        int from = dom.indexOf("<section class=\"tenant\" data-tenant=\"" + tenantId + "\">");
        assertThat(from).as("tenant section in:\n" + dom).isNotNegative();
        return dom.substring(from, dom.indexOf("</section>", from));
    }

    /** The cell texts of the first row whose first cell is {@code first}; for a summary row (th, td) only the value. */
    private static List<String> row(String html, String first) {
        Matcher rows = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(html);
        while (rows.find()) {
            List<String> cells = new java.util.ArrayList<>();
            Matcher m = Pattern.compile("<t[hd][^>]*>(.*?)</t[hd]>", Pattern.DOTALL).matcher(rows.group(1));
            while (m.find()) cells.add(m.group(1).replaceAll("<[^>]+>", "").trim());
            if (!cells.isEmpty() && cells.get(0).equals(first)) {
                return rows.group(1).startsWith("<th>") ? cells.subList(1, cells.size()) : cells;
            }
        }
        throw new AssertionError("no row '" + first + "' in:\n" + html);
    }

    private static String chromium(String url, String... mode) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> command = new java.util.ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        command.addAll(List.of(mode));
        command.add(url);
        Path log = Path.of("target/chromium.log").toAbsolutePath();
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(process.exitValue()).as("chromium exit code").isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
