package io.ashbysync.ashby.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilesTest {

    /** Creates an upload handle, uploads {@code bytes} to its URL as multipart (fields, then "file"); returns it. */
    static String upload(SimClient client, String context, String filename, byte[] bytes) {
        JsonNode handle = client.results("file.createFileUploadHandle", "{\"fileUploadContext\":\"" + context
                + "\",\"filename\":\"" + filename + "\",\"contentType\":\"application/octet-stream\","
                + "\"contentLength\":" + bytes.length + "}");
        String boundary = "----sim" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Iterator<Map.Entry<String, JsonNode>> fields = handle.get("fields").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey()
                    + "\"\r\n\r\n" + f.getValue().asText() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(bytes);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            handle.get("url").asText()))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return handle.get("handle").asText();
    }

    @Test
    void uploadedResumeIsAttachedAndDownloadableUntilTheUrlExpires() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        try (AshbySimulator sim = AshbySimulator.start(SimulatorOptions.defaults().clock(clock)
                .downloadUrlLifetime(Duration.ofMinutes(5)))) {
            SimulatedOrganization org = sim.createOrganization("k");
            SimClient client = new SimClient(sim, "k");
            String candidateId = client.results("candidate.create", "{\"name\":\"Jo\"}").get("id").asText();
            byte[] pdf = "%PDF-1.4 resume bytes".getBytes(StandardCharsets.UTF_8);
            String handle = upload(client, "CandidateResume", "jo.pdf", pdf);
            JsonNode cand = client.results("candidate.uploadResume", "{\"candidateId\":\"" + candidateId
                    + "\",\"resumeHandle\":\"" + handle + "\"}");
            assertThat(cand.get("resumeFileHandle").get("handle").asText()).isEqualTo(handle);
            assertThat(org.files()).hasSize(1);
            String url = client.results("file.info", "{\"fileHandle\":\"" + handle + "\"}").get("url").asText();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.body()).isEqualTo(pdf);
            clock.advance(Duration.ofMinutes(6));
            assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void uploadUrlIsValidForTenMinutes() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        try (AshbySimulator sim = AshbySimulator.start(SimulatorOptions.defaults().clock(clock))) {
            sim.createOrganization("k");
            SimClient client = new SimClient(sim, "k");
            JsonNode handle = client.results("file.createFileUploadHandle", "{\"fileUploadContext\":"
                    + "\"CandidateFiles\",\"filename\":\"a.txt\",\"contentType\":\"text/plain\",\"contentLength\":1}");
            clock.advance(Duration.ofMinutes(11));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                            handle.get("url").asText())).header("Content-Type", "multipart/form-data; boundary=b")
                    .POST(HttpRequest.BodyPublishers.ofString("--b--\r\n")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("Policy expired");
        }
    }

    @Test
    void aFileAttachedInTheUi_isListedOnTheCandidate_andAStandingFaultHitsOnlyThatFilesFileInfo() throws Exception {
        try (AshbySimulator sim = AshbySimulator.start(SimulatorOptions.defaults())) {
            SimulatedOrganization org = sim.createOrganization("k");
            SimClient client = new SimClient(sim, "k");
            String candidateId = client.results("candidate.create", "{\"name\":\"Jo\"}").get("id").asText();
            String before = org.candidate(candidateId).get("updatedAt").asText();
            JsonNode resume = org.attachFile(candidateId, "cv.pdf", "application/pdf", "%PDF cv".getBytes(StandardCharsets.UTF_8), true);
            JsonNode broken = org.attachFile(candidateId, "refs.pdf", "application/pdf", "%PDF refs".getBytes(StandardCharsets.UTF_8), false);
            JsonNode cand = client.results("candidate.info", "{\"id\":\"" + candidateId + "\"}");
            assertThat(cand.get("resumeFileHandle").get("id").asText()).isEqualTo(resume.get("id").asText());
            assertThat(cand.get("fileHandles").findValuesAsText("id")).contains(resume.get("id").asText(), broken.get("id").asText());
            assertThat(cand.get("updatedAt").asText()).isGreaterThanOrEqualTo(before);

            sim.faults().always("file.info", "fileHandle", broken.get("handle").asText(), Fault.rejected("file_not_available", "nope"));
            String info = "{\"fileHandle\":\"%s\"}";
            for (int i = 0; i < 2; i++) {
                JsonNode refused = Json.parse(client.post("file.info", info.formatted(broken.get("handle").asText())).body());
                assertThat(refused.get("success").asBoolean()).isFalse();
                assertThat(refused.get("errorInfo").get("code").asText()).isEqualTo("file_not_available");
                assertThat(refused.get("errorInfo").get("requestId").asText()).isNotBlank();
                assertThat(client.results("file.info", info.formatted(resume.get("handle").asText())).get("url").asText()).isNotBlank();
            }
            sim.faults().heal("file.info", "fileHandle", broken.get("handle").asText());
            assertThat(client.results("file.info", info.formatted(broken.get("handle").asText())).get("url").asText()).isNotBlank();
        }
    }
}
