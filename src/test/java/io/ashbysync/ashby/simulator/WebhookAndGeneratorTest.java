package io.ashbysync.ashby.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookAndGeneratorTest {

    @Test
    void signatureMatchesAVectorComputedWithOpenssl() throws Exception {
        // printf '%s' "$(cat webhook-signature-fixture.json)" | openssl dgst -sha256 -hmac whsec_simulator_test
        byte[] body = Files.readAllBytes(Path.of(getClass().getResource("/simulator/webhook-signature-fixture.json")
                .toURI()));
        assertThat(WebhookSender.signature("whsec_simulator_test", body))
                .isEqualTo("sha256=668099b8aa3ce8c9235daa1047c04f899e5410cd2884437c84f032ecdbf14f83");
    }

    @Test
    void stageChangeFiresSignedRelatedWebhooksSharingOneActionId() throws Exception {
        try (AshbySimulator sim = AshbySimulator.start(); WebhookReceiver receiver = new WebhookReceiver()) {
            SimulatedOrganization org = sim.createOrganization("k");
            SeededTenantGenerator.SeededTenant t = SeededTenantGenerator.seed(1).candidates(20).generate(org);
            SimClient client = new SimClient(sim, "k");
            for (String type : List.of("candidateHire", "candidateStageChange", "applicationUpdate")) {
                JsonNode hook = client.results("webhook.create", "{\"webhookType\":\"" + type
                        + "\",\"requestUrl\":\"" + receiver.url() + "\",\"secretToken\":\"sec\"}");
                assertThat(hook.get("enabled").asBoolean()).isTrue();
            }
            String app = org.applications().stream().filter(a -> "Active".equals(a.get("status").asText()))
                    .findFirst().orElseThrow().get("id").asText();
            org.hire(app);
            List<WebhookSender.Delivery> d = sim.webhookSender().awaitDeliveries(
                    l -> l.stream().filter(x -> !"ping".equals(x.action())).count() == 3, Duration.ofSeconds(10));
            List<WebhookSender.Delivery> events = d.stream().filter(x -> !"ping".equals(x.action())).toList();
            assertThat(events).extracting(WebhookSender.Delivery::action)
                    .containsExactlyInAnyOrder("candidateHire", "candidateStageChange", "applicationUpdate");
            assertThat(events).extracting(WebhookSender.Delivery::webhookActionId).containsOnly(
                    events.get(0).webhookActionId());
            for (WebhookSender.Delivery e : events) {
                assertThat(e.signature()).isEqualTo(WebhookSender.signature("sec",
                        e.body().getBytes(StandardCharsets.UTF_8)));
            }
            assertThat(receiver.received).allSatisfy(r -> assertThat(r.get("contentType"))
                    .startsWith("application/json"));
            assertThat(t.candidateIds()).isNotEmpty();
        }
    }

    @Test
    void webhookFailingThePingIsSavedDisabled() throws Exception {
        try (AshbySimulator sim = AshbySimulator.start(); WebhookReceiver receiver = new WebhookReceiver()) {
            sim.createOrganization("k");
            receiver.answer(500);
            JsonNode hook = new SimClient(sim, "k").results("webhook.create", "{\"webhookType\":\"candidateDelete\","
                    + "\"requestUrl\":\"" + receiver.url() + "\",\"secretToken\":\"s\"}");
            assertThat(hook.get("enabled").asBoolean()).isFalse();
        }
    }

    @Test
    void retriesFollowTheBackoffScheduleOnTheCompressedClockUpToTenAttempts() throws Exception {
        // one simulated second = 0.1 ms: the whole 2.8 h schedule takes about a second
        try (AshbySimulator sim = AshbySimulator.start(SimulatorOptions.defaults()
                .webhookSecondLength(Duration.ofNanos(100_000)));
             WebhookReceiver receiver = new WebhookReceiver()) {
            SimulatedOrganization org = sim.createOrganization("k");
            SeededTenantGenerator.seed(2).candidates(3).generate(org);
            new SimClient(sim, "k").results("webhook.create", "{\"webhookType\":\"candidateDelete\","
                    + "\"requestUrl\":\"" + receiver.url() + "\",\"secretToken\":\"s\"}");
            receiver.defaultStatus = 503;
            org.deleteCandidate(org.candidates().get(0).get("id").asText());
            List<WebhookSender.Delivery> attempts = sim.webhookSender().awaitDeliveries(
                    l -> l.stream().filter(x -> x.action().equals("candidateDelete")).count() == 10,
                    Duration.ofSeconds(20)).stream().filter(x -> x.action().equals("candidateDelete")).toList();
            assertThat(attempts).extracting(WebhookSender.Delivery::attempt)
                    .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            for (int n = 1; n < attempts.size(); n++) {
                long gap = attempts.get(n).sentAtNanos() - attempts.get(n - 1).sentAtNanos();
                long expected = WebhookSender.retryDelay(n).toSeconds() * 100_000;
                assertThat(gap).as("gap before retry " + n).isGreaterThanOrEqualTo(expected);
            }
            assertThat(WebhookSender.retryDelay(1)).isEqualTo(Duration.ofSeconds(10));
            assertThat(WebhookSender.retryDelay(4)).isEqualTo(Duration.ofSeconds(150));
        }
    }

    @Test
    void goneAndUnauthorizedAnswersAreNotRetried() throws Exception {
        for (int status : new int[] {401, 410}) {
            try (AshbySimulator sim = AshbySimulator.start(); WebhookReceiver receiver = new WebhookReceiver()) {
                SimulatedOrganization org = sim.createOrganization("k");
                SeededTenantGenerator.seed(2).candidates(3).generate(org);
                new SimClient(sim, "k").results("webhook.create", "{\"webhookType\":\"candidateDelete\","
                        + "\"requestUrl\":\"" + receiver.url() + "\",\"secretToken\":\"s\"}");
                receiver.defaultStatus = status;
                org.deleteCandidate(org.candidates().get(0).get("id").asText());
                org.deleteCandidate(org.candidates().get(1).get("id").asText());
                // the second event's delivery proves the sender moved on; the first got exactly one attempt
                List<WebhookSender.Delivery> all = sim.webhookSender().awaitDeliveries(
                        l -> l.stream().filter(x -> x.action().equals("candidateDelete")).count() >= 2,
                        Duration.ofSeconds(10));
                assertThat(all.stream().filter(x -> x.action().equals("candidateDelete")))
                        .allSatisfy(x -> assertThat(x.attempt()).isEqualTo(1));
            }
        }
    }

    @Test
    void generatorIsDeterministicAndFast() {
        try (AshbySimulator sim = AshbySimulator.start()) {
            long start = System.nanoTime();
            SimulatedOrganization big = sim.createOrganization("big");
            SeededTenantGenerator.seed(42).candidates(20_000).generate(big);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(big.candidates()).hasSize(20_000);
            assertThat(took).isLessThan(Duration.ofSeconds(15));
            SimulatedOrganization a = sim.createOrganization("a");
            SimulatedOrganization b = sim.createOrganization("b");
            SeededTenantGenerator.seed(9).candidates(300).generate(a);
            SeededTenantGenerator.seed(9).candidates(300).generate(b);
            assertThat(a.candidates()).isEqualTo(b.candidates());
            assertThat(a.applications()).isEqualTo(b.applications());
            assertThat(a.applications()).extracting(x -> x.get("status").asText())
                    .contains("Lead", "Active", "Archived");
            assertThat(a.applications().stream().filter(x -> "Archived".equals(x.get("status").asText())))
                    .allSatisfy(x -> assertThat(x.has("archiveReason")).isTrue());
        }
    }
}
