package io.ashbysync.export;

import io.ashbysync.command.StepProbe;
import io.quarkus.test.Mock;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;

/** Replaces the no-op probe in tests: crashes once right after the named Ashby write, before its progress is saved. */
@Mock
@ApplicationScoped
public class CrashingStepProbe implements StepProbe {
    static final AtomicReference<String> CRASH_AFTER = new AtomicReference<>();

    public static class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String step) {
            super("simulated crash after " + step);
        }
    }

    @Override
    public void afterAshbyWrite(String commandType, String step) {
        String armed = CRASH_AFTER.get();
        if (step.equals(armed) && CRASH_AFTER.compareAndSet(armed, null)) {
            throw new SimulatedCrash(step);
        }
    }
}
