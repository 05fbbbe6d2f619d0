package io.ashbysync.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code POST /dev/commands/sample-export?mode=application|lead|prospect}: a complete {@code candidate.export} for
 * the demo tenant, whose ids (jobs, stages, sources, users, projects, custom fields) exist only once the simulator
 * is seeded. Each call exports a new Findem profile with notes, tags, custom fields, a resume and an attachment;
 * the files are served by this handler under {@value #FILES_PATH} on loopback, so the commands function downloads
 * them over http (allowed in the dev stack through {@code ashby-sync.export.allowed-url-schemes}).
 */
final class SampleExport implements HttpHandler {
    static final String PATH = "/dev/commands/sample-export";
    static final String FILES_PATH = "/dev/files/";
    private static final Set<String> MODES = Set.of("application", "lead", "prospect");
    private static final ObjectMapper JSON = new ObjectMapper();

    private record ServedFile(String contentType, byte[] bytes) {}

    private final DemoTenant tenant;
    private final CommandsEnqueueEndpoint commands;
    private final URI httpBase;
    private final Map<String, ServedFile> files = new ConcurrentHashMap<>();

    SampleExport(DemoTenant tenant, CommandsEnqueueEndpoint commands, URI httpBase) {
        this.tenant = tenant;
        this.commands = commands;
        this.httpBase = httpBase;
    }

    /** The demo ids a hand-written export needs (the placeholders of infra/dev/export-command.json). */
    DemoIds demoIds() {
        SimulatedOrganization org = tenant.organization();
        JsonNode job = org.jobs().stream().filter(j -> j.path("status").asText().equals("Open")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the demo organization has no open job"));
        String activeStageId = org.interviewStages(job.path("defaultInterviewPlanId").asText()).stream()
                .filter(stage -> stage.path("type").asText().equals("Active")).findFirst()
                .map(stage -> stage.get("id").asText()).orElse(null);
        return new DemoIds(job.get("id").asText(), activeStageId, tenant.seeded().projectIds().getFirst(),
                tenant.seeded().sourceIds().getFirst(), tenant.seeded().userIds().getFirst(),
                customField(org, "Candidate", "String", "Preferred name"),
                customField(org, "Candidate", "Number", "Years of experience"),
                customField(org, "Application", "Number", "Expected salary"));
    }

    record DemoIds(String jobId, String stageId, String projectId, String sourceId, String creditedToUserId,
                   String candidateTextFieldId, String candidateNumberFieldId, String applicationNumberFieldId) {}

    private static String customField(SimulatedOrganization org, String objectType, String fieldType, String title) {
        return org.customFieldDefinitions().stream()
                .filter(f -> f.path("objectType").asText().equals(objectType) && f.path("fieldType").asText().equals(fieldType)
                        && f.path("title").asText().equals(title))
                .findFirst().orElseThrow(() -> new IllegalStateException("the demo organization has no " + objectType
                        + " custom field '" + title + "'")).get("id").asText();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("GET") && path.startsWith(FILES_PATH)) {
                serveFile(exchange, path);
                return;
            }
            if (tenant.organization() == null) {
                FindemEvents.reply(exchange, 501, JSON.createObjectNode().put("message", "sample exports use the simulator's demo ids;"
                        + " against a real Ashby account send your own command to POST /dev/commands (template: infra/dev/export-command.json)"));
                return;
            }
            if (!exchange.getRequestMethod().equals("POST") || !path.equals(PATH)) {
                FindemEvents.reply(exchange, 404, JSON.createObjectNode().put("message", "POST " + PATH + "?mode=application|lead|prospect"));
                return;
            }
            String mode = FindemEvents.queryParameter(exchange, "mode").orElse("application");
            if (!MODES.contains(mode)) {
                FindemEvents.reply(exchange, 400, JSON.createObjectNode().put("message", "mode must be application, lead or prospect"));
                return;
            }
            ObjectNode command = command(mode);
            String commandId = command.get("commandId").asText();
            try {
                String messageId = commands.send(command.toString(), tenant.tenantId(), commandId);
                DevConsole.event("export", "mode", mode, "commandId", commandId,
                        "findemProfileId", command.path("payload").path("findemProfileId").asText(), "messageId", messageId,
                        "result", httpBase + FindemEvents.PATH + "?commandId=" + commandId);
                FindemEvents.reply(exchange, 202, JSON.createObjectNode().put("commandId", commandId).put("messageId", messageId)
                        .put("result", httpBase + FindemEvents.PATH + "?commandId=" + commandId).set("command", command));
            } catch (SdkException e) {
                FindemEvents.reply(exchange, 502, JSON.createObjectNode().put("message", "SQS refused the message: " + e.getMessage()));
            }
        }
    }

    /** A new profile each time, so every call creates a candidate rather than matching the previous one. */
    ObjectNode command(String mode) {
        DemoIds ids = demoIds();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String profileId = "fp-dev-" + suffix;
        ObjectNode payload = JSON.createObjectNode().put("findemProfileId", profileId).put("mode", mode);
        switch (mode) {
            case "application" -> {
                payload.put("jobId", ids.jobId());
                if (ids.stageId() != null) {
                    payload.put("stageId", ids.stageId());
                }
            }
            case "lead" -> payload.put("jobId", ids.jobId());
            default -> payload.put("projectId", ids.projectId());
        }
        ObjectNode candidate = payload.putObject("candidate").put("name", "Dev Sample " + suffix)
                .put("linkedInUrl", "https://www.linkedin.com/in/" + profileId + "/")
                .put("githubUrl", "https://github.com/" + profileId);
        candidate.putArray("emails").add("dev.sample." + suffix + "@example.com");
        candidate.putArray("phoneNumbers").add("+44 20 7946 0018");
        candidate.putObject("location").put("city", "London").put("country", "United Kingdom");
        payload.put("sourceId", ids.sourceId()).put("creditedToUserId", ids.creditedToUserId());
        payload.putArray("notes")
                .add(JSON.createObjectNode().put("id", profileId + "-n1").put("content", "Sourced by Findem for a " + mode + " export."))
                .add(JSON.createObjectNode().put("id", profileId + "-n2").put("content", "<p><b>Strong match</b> on Java and AWS</p>")
                        .put("format", "html"));
        payload.putArray("tags").add("Findem").add("Dev sample: " + mode);
        payload.putObject("resume").put("url", serve(profileId + "/resume.pdf", "application/pdf", pdf("Resume of Dev Sample " + suffix)).toString())
                .put("fileName", "resume.pdf").put("contentType", "application/pdf");
        payload.putArray("attachments").addObject()
                .put("url", serve(profileId + "/portfolio.txt", "text/plain", ("Portfolio of Dev Sample " + suffix).getBytes(StandardCharsets.UTF_8)).toString())
                .put("fileName", "portfolio.txt");
        payload.putArray("candidateCustomFields")
                .add(JSON.createObjectNode().put("fieldId", ids.candidateTextFieldId()).put("value", "Sample " + suffix))
                .add(JSON.createObjectNode().put("fieldId", ids.candidateNumberFieldId()).put("value", 7));
        if (!mode.equals("prospect")) {
            payload.putArray("applicationCustomFields")
                    .add(JSON.createObjectNode().put("fieldId", ids.applicationNumberFieldId()).put("value", 120000));
        }
        ObjectNode command = JSON.createObjectNode().put("type", "candidate.export").put("commandId", "dev-export-" + suffix)
                .put("tenantId", tenant.tenantId());
        command.putObject("requestedBy").put("email", "recruiter@example.com").put("name", "Dev Recruiter");
        command.set("payload", payload);
        return command;
    }

    private URI serve(String name, String contentType, byte[] bytes) {
        files.put(name, new ServedFile(contentType, bytes));
        return httpBase.resolve(FILES_PATH + name);
    }

    private void serveFile(HttpExchange exchange, String path) throws IOException {
        Optional<ServedFile> file = Optional.ofNullable(files.get(path.substring(FILES_PATH.length())));
        if (file.isEmpty()) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", file.get().contentType());
        exchange.sendResponseHeaders(200, file.get().bytes().length);
        exchange.getResponseBody().write(file.get().bytes());
        DevConsole.event("download", "path", path, "bytes", file.get().bytes().length);
    }

    /** The smallest document that starts like a PDF; the simulator stores it as given. */
    private static byte[] pdf(String text) {
        return ("%PDF-1.4\n% " + text + "\n%%EOF\n").getBytes(StandardCharsets.UTF_8);
    }
}
