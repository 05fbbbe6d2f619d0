package io.ashbysync.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.Fault;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.testing.CommandHarness;
import io.ashbysync.testing.InjectLocalAws;
import io.ashbysync.testing.InjectSimulator;
import io.ashbysync.testing.LambdaEvents;
import io.ashbysync.testing.LambdaInvoker;
import io.ashbysync.testing.LambdaEvents.Message;
import io.ashbysync.testing.LocalAws;
import io.ashbysync.testing.TestTenants;
import io.ashbysync.testing.TestTenants.TestTenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The `commands` function through Quarkus' Lambda event server, against moto and the simulator. */
@QuarkusTest
class CommandsHandlerTest {
    @InjectLocalAws
    LocalAws aws;
    @InjectSimulator
    AshbySimulator simulator;
    @Inject
    TenantStore tenants;

    private static final String COMMANDS_QUEUE = "ashby-sync-commands.fifo";

    @AfterEach
    void clearFaults() {
        simulator.faults().clear();
    }

    private static String connectionCheck(String commandId, String tenantId) {
        return "{\"type\":\"connection.check\",\"commandId\":\"" + commandId + "\",\"tenantId\":\"" + tenantId
                + "\",\"requestedBy\":{\"email\":\"rita@acme.example\"},\"payload\":{}}";
    }

    private static List<String> failedMessageIds(String event) {
        String response = LambdaInvoker.invoke(event);
        return JsonPath.from(response).getList("batchItemFailures.itemIdentifier", String.class);
    }

    @Test
    void batch_invalidCommandsAreConsumedAndOnlyTheTransientFailureGoesBack() {
        TestTenant healthy = TestTenants.register(aws, simulator, tenants, 60_000);
        TestTenant flaky = TestTenants.register(aws, simulator, tenants, 60_000);
        for (int i = 0; i < 10; i++) {
            simulator.faults().next("apiKey.info", Fault.status(503));
        }

        List<String> failed = failedMessageIds(LambdaEvents.sqs(COMMANDS_QUEUE,
                new Message("not-json", "{oops"),
                new Message("unknown-type", connectionCheck("c-2", healthy.tenantId()).replace("connection.check", "candidate.teleport")),
                new Message("unknown-tenant", connectionCheck("c-3", "no-such-tenant")),
                new Message("transient", connectionCheck("c-1", flaky.tenantId()))));

        assertThat(failed).containsExactly("transient");
        assertThat(simulator.requestCount(healthy.apiKey())).as("invalid commands never reach Ashby").isZero();
    }

    @Test
    void connectionCheck_reachesAshbyWithTheTenantsKey() {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 60_000);

        List<String> failed = failedMessageIds(LambdaEvents.sqs(COMMANDS_QUEUE, new Message("ok", connectionCheck("c-4", tenant.tenantId()))));

        assertThat(failed).isEmpty();
        assertThat(simulator.requestLog("apiKey.info").stream().filter(r -> tenant.apiKey().equals(r.apiKey()) && r.httpStatus() == 200))
                .isNotEmpty();
    }

    @Test
    void workQueue_malformedOrUnknownWorkIsDroppedNotRetriedForever() {
        List<String> failed = failedMessageIds(LambdaEvents.sqs("ashby-sync-work",
                new Message("garbage", "{oops"),
                new Message("unknown", "{\"type\":\"no.such.work\",\"tenantId\":\"t\",\"workId\":\"w1\",\"payload\":{}}")));

        assertThat(failed).isEmpty();
    }

    @Test
    void fifoBatch_afterAFailure_returnsTheLaterMessagesSoAGroupKeepsItsOrder() {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        for (int i = 0; i < 10; i++) {
            simulator.faults().next("apiKey.info", Fault.status(503));
        }

        List<String> failed = failedMessageIds(LambdaEvents.sqs(COMMANDS_QUEUE,
                new Message("first", connectionCheck("f-1", tenant.tenantId())),
                new Message("second", connectionCheck("f-2", tenant.tenantId()))));

        assertThat(failed).containsExactly("first", "second");
        assertThat(simulator.faults().pending("apiKey.info")).as("the second message was not attempted").isEqualTo(3);
    }

    @Test
    void beforeTheDeadline_aCommandThatCannotStartOnItsLastDeliveryIsAnsweredBeforeTheDeadLetterQueue() {
        TestTenant tenant = TestTenants.register(aws, simulator, tenants, 60_000);
        for (int i = 0; i < 10; i++) {
            simulator.faults().next("apiKey.info", Fault.status(503));
        }
        String lastDelivery = LambdaEvents.sqs(COMMANDS_QUEUE,
                        new Message("first", connectionCheck("last-1", tenant.tenantId())),
                        new Message("second", connectionCheck("last-2", tenant.tenantId())))
                .replace("\"ApproximateReceiveCount\":\"1\"", "\"ApproximateReceiveCount\":\"5\"");

        assertThat(failedMessageIds(lastDelivery)).containsExactly("first", "second");

        CommandHarness findem = new CommandHarness(aws);
        JsonNode attempted = findem.result("last-1");
        assertThat(attempted.path("error").path("code").asText()).isEqualTo("retries_exhausted");
        JsonNode neverStarted = findem.result("last-2");
        assertThat(neverStarted.path("status").asText()).isEqualTo("failed");
        assertThat(neverStarted.path("error").path("code").asText()).isEqualTo("retries_exhausted");
        assertThat(neverStarted.path("error").path("message").asText()).contains("not attempted").contains("group");
    }
}
