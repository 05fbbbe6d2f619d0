package io.ashbysync.application;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rejections under one AWS fault at each call site of their path (see {@link FaultMatrix}): a bulk rejection run as
 * a chunk on the work queue, and a delayed one, scheduled and then fired by the poller. Whatever fails, each
 * application is archived once with one email and one receipt note, the job's rows end as in a fault-free run, and
 * the result (or the delayed rejection's completion) reaches Findem.
 */
@QuarkusTest
class RejectionFaultMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BULK = "application.reject of two applications";
    private static final String DELAYED = "delayed application.reject, scheduled and fired";
    /** The poller's passes after the rejection is due: a pass that fails or skips it is followed by the next. */
    private static final int POLLS = 3;

    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;
    @Inject
    DelayedRejections delayed;
    @Inject
    ObjectMapper mapper;

    @AfterEach
    void disarm() {
        AwsFaults.plan().clear();
    }

    @Test
    void bulkReject_withAnAwsCallFailingPastTheSdkRetries_endsAsTheFaultFreeRun() {
        FaultMatrix.check(BULK, () -> reject(false), Fault.CALL_FAILS);
    }

    @Test
    void bulkReject_withAWriteAppliedAndItsAnswerLost_endsAsTheFaultFreeRun() {
        FaultMatrix.check(BULK, () -> reject(false), Fault.ANSWER_LOST);
    }

    @Test
    void delayedReject_withAnAwsCallFailingPastTheSdkRetries_endsAsTheFaultFreeRun() {
        FaultMatrix.check(DELAYED, () -> reject(true), Fault.CALL_FAILS);
    }

    @Test
    void delayedReject_withAWriteAppliedAndItsAnswerLost_endsAsTheFaultFreeRun() {
        FaultMatrix.check(DELAYED, () -> reject(true), Fault.ANSWER_LOST);
    }

    @Test
    void delayedReject_withATransactionConflict_endsAsTheFaultFreeRun() {
        FaultMatrix.check(DELAYED, () -> reject(true), Fault.TRANSACTION_CONFLICT);
    }

    /**
     * A fresh tenant; the rejection of two active applications with an email and receipt notes, delivered until the
     * queues are empty. A delayed one is then fired by the poller's passes after it is due.
     */
    private FaultMatrix.Scenario reject(boolean delay) {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 600_000);
        SimulatedOrganization org = tenant.organization();
        SeededTenant seeded = SeededTenantGenerator.seed(7).candidates(8).jobs(2).users(3).generate(org);
        List<String> ids = org.applications().stream().filter(a -> a.get("status").asText().equals("Active"))
                .filter(a -> org.candidate(a.path("candidate").path("id").asText()).has("primaryEmailAddress"))
                .map(a -> a.get("id").asText()).limit(2).toList();
        ObjectNode payload = JSON.createObjectNode().put("archiveReasonText", "Not a fit");
        ids.forEach(payload.putArray("applicationIds")::add);
        payload.putObject("archiveEmail").put("communicationTemplateId", seeded.emailTemplateId());
        if (delay) payload.put("delayMinutes", 60);
        ObjectNode command = CommandHarness.command("application.reject", tenant.tenantId(), payload);
        command.putObject("requestedBy").put("email", org.users().get(1).get("email").asText()).put("name", "Rita Recruiter");
        String commandId = command.get("commandId").asText();

        CommandHarness harness = new CommandHarness(aws);
        return new FaultMatrix.Scenario(() -> {
            harness.send(command);
            harness.drain();
            if (delay) {
                fireAsThePollerDoes(tenant.tenantId());
                harness.drain();
            }
        }, () -> observe(harness, tenant, commandId));
    }

    private void fireAsThePollerDoes(String tenantId) {
        for (int poll = 1; poll <= POLLS; poll++) {
            try {
                delayed.fireDue(tenantId, Instant.now().plus(Duration.ofMinutes(60 + poll)));
            } catch (RuntimeException failedPass) {
                // the poller logs it and records the tenant's failure; its next pass fires again
            }
        }
    }

    private FaultMatrix.Run observe(CommandHarness harness, TestTenant tenant, String commandId) {
        SimulatedOrganization org = tenant.organization();
        ObjectNode state = JSON.createObjectNode();
        ObjectNode ashby = state.putObject("ashby");
        ashby.set("applications", JSON.valueToTree(org.applications()));
        ashby.set("scheduledEmails", mapper.valueToTree(org.scheduledEmails()));
        ObjectNode notes = ashby.putObject("notes");
        org.candidates().forEach(c -> notes.set(c.get("id").asText(), JSON.valueToTree(org.notes(c.get("id").asText()))));
        // the request budget's row is the client's own accounting, timed by the run
        state.set("jobs", FaultMatrix.rows(FaultMatrix.partition(aws, "TenantsTable", TenantStore.partitionKey(tenant.tenantId())).stream()
                .filter(row -> !row.get("sk").s().equals("BUDGET")).toList()));
        state.set("command", FaultMatrix.rows(FaultMatrix.partition(aws, "IdempotencyTable", tenant.tenantId() + "#" + commandId)));
        withoutActor(state);
        List<JsonNode> events = harness.tenantEvents(tenant.tenantId()).stream().map(e -> withoutActor(e.deepCopy())).toList();
        return new FaultMatrix.Run(state, events, FaultMatrix.deadLetters(aws, tenant.tenantId()),
                FaultMatrix.names(org, tenant.tenantId(), commandId));
    }

    /**
     * Outcome items without who acted: when an archive's outcome was lost with its answer, the resumed item finds the
     * application archived but cannot know whom Ashby recorded (RejectionJobs says {@code actedAs: unknown, resumed}).
     * The effects in Ashby are what the matrix compares; ApplicationCommandsTest checks the actor.
     */
    private static JsonNode withoutActor(JsonNode node) {
        if (node instanceof ObjectNode object && object.has("outcome")) object.remove(List.of("actedAs", "resumed"));
        node.forEach(RejectionFaultMatrixTest::withoutActor);
        return node;
    }
}
