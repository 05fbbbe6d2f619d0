package io.ashbysync.testing;

import io.ashbysync.ashby.simulator.AshbySimulator;
import io.ashbysync.ashby.simulator.SimulatorOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * One Ashby simulator for a Quarkus test run, with request validation against the OpenAPI document switched on so
 * every request our client sends is held to Ashby's contract. Tests reach it with {@code @InjectSimulator}.
 */
public final class AshbySimulatorResource implements QuarkusTestResourceLifecycleManager {
    private AshbySimulator simulator;

    @Override
    public Map<String, String> start() {
        simulator = AshbySimulator.start(SimulatorOptions.defaults().validateRequests(true));
        return Map.of("quarkus.rest-client.ashby.url", simulator.baseUrl());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(simulator,
                new TestInjector.AnnotatedAndMatchesType(InjectSimulator.class, AshbySimulator.class));
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
            simulator = null;
        }
    }
}
