package io.ashbysync.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator;
import io.ashbysync.ashby.simulator.SeededTenantGenerator.SeededTenant;
import io.ashbysync.ashby.simulator.SimulatedOrganization;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.AwsFaults;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.FaultMatrix;
import io.ashbysync.testing.FaultMatrix.Fault;
import io.ashbysync.testing.FileServer;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code candidate.export} under one AWS fault at each call site of its path (see {@link FaultMatrix}): whatever
 * fails, the candidate, its application, notes, tags, fields and files land in Ashby once, the identity index and the
 * command's record end as in a fault-free run, and its one result reaches Findem.
 */
@QuarkusTest
class ExportFaultMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FileServer FILES = new FileServer();
    private static final byte[] PDF = "%PDF-1.4 resume of Ada Lovelace".getBytes(StandardCharsets.UTF_8);
    private static final String SCENARIO = "candidate.export with every part";

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;

    @AfterEach
    void disarm() {
        AwsFaults.plan().clear();
    }

    @AfterAll
    static void stopFiles() {
        FILES.close();
    }

    @Test
    void export_withAnAwsCallFailingPastTheSdkRetries_endsAsTheFaultFreeRun() {
        FaultMatrix.check(SCENARIO, this::export, Fault.CALL_FAILS);
    }

    @Test
    void export_withAWriteAppliedAndItsAnswerLost_endsAsTheFaultFreeRun() {
        FaultMatrix.check(SCENARIO, this::export, Fault.ANSWER_LOST);
    }

    /** A fresh tenant; the export of a new candidate with every part, delivered until the queues are empty. */
    private FaultMatrix.Scenario export() {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 600_000);
        SimulatedOrganization org = tenant.organization();
        SeededTenant seeded = SeededTenantGenerator.seed(11).candidates(5).jobs(3).users(4).generate(org);
        String jobId = org.jobs().stream().filter(j -> j.path("status").asText().equals("Open")).findFirst().orElseThrow().get("id").asText();
        ObjectNode payload = JSON.createObjectNode().put("findemProfileId", "fp-ada").put("mode", "application").put("jobId", jobId)
                .put("sourceId", seeded.sourceIds().getFirst()).put("creditedToUserId", seeded.userIds().getFirst());
        ObjectNode candidate = payload.putObject("candidate").put("name", "Ada Lovelace").put("linkedInUrl", "https://www.linkedin.com/in/fp-ada/");
        candidate.putArray("emails").add("ada@example.com").add("alt.ada@example.com");
        ArrayNode notes = payload.putArray("notes");
        notes.addObject().put("id", "n-1").put("content", "Strong Java background, open to relocation.");
        notes.addObject().put("id", "n-2").put("content", "<b>Reached out</b> via InMail").put("format", "html");
        payload.putArray("tags").add("Findem").add("Sourced: Java");
        payload.putObject("resume").put("url", FILES.serve("/ada/cv.pdf", "application/pdf", PDF).toString()).put("fileName", "cv.pdf");
        payload.putArray("attachments").addObject()
                .put("url", FILES.serve("/ada/portfolio.pdf", "application/pdf", PDF).toString()).put("fileName", "portfolio.pdf");
        payload.putArray("candidateCustomFields").addObject().put("fieldId", customField(org, "Candidate", "String")).put("value", "Ada");
        payload.putArray("applicationCustomFields").addObject().put("fieldId", customField(org, "Application", "Number")).put("value", 120000);
        ObjectNode command = CommandHarness.command("candidate.export", tenant.tenantId(), payload);
        String commandId = command.get("commandId").asText();

        CommandHarness harness = new CommandHarness(aws);
        return new FaultMatrix.Scenario(() -> {
            harness.sendValid(command);
            harness.drain();
        }, () -> observe(harness, tenant, commandId));
    }

    private FaultMatrix.Run observe(CommandHarness harness, TestTenant tenant, String commandId) {
        SimulatedOrganization org = tenant.organization();
        ObjectNode state = JSON.createObjectNode();
        ObjectNode ashby = state.putObject("ashby");
        ashby.set("candidates", JSON.valueToTree(org.candidates()));
        ashby.set("applications", JSON.valueToTree(org.applications()));
        ashby.set("tags", JSON.valueToTree(org.tags()));
        ObjectNode notesByCandidate = ashby.putObject("notes");
        org.candidates().forEach(c -> notesByCandidate.set(c.get("id").asText(), JSON.valueToTree(org.notes(c.get("id").asText()))));
        state.set("identity", FaultMatrix.rows(FaultMatrix.partition(aws, "IdentityTable", TenantStore.partitionKey(tenant.tenantId()))));
        state.set("command", FaultMatrix.rows(FaultMatrix.partition(aws, "IdempotencyTable", tenant.tenantId() + "#" + commandId)));
        return new FaultMatrix.Run(state, harness.tenantEvents(tenant.tenantId()), FaultMatrix.deadLetters(aws, tenant.tenantId()),
                FaultMatrix.names(org, tenant.tenantId(), commandId));
    }


    private static String customField(SimulatedOrganization org, String objectType, String fieldType) {
        return org.customFieldDefinitions().stream()
                .filter(f -> f.get("objectType").asText().equals(objectType) && f.get("fieldType").asText().equals(fieldType))
                .findFirst().orElseThrow().get("id").asText();
    }
}
