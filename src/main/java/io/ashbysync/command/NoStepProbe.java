package io.ashbysync.command;

import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class NoStepProbe implements StepProbe {
    @Override
    public void afterAshbyWrite(String commandType, String step) {
        // Nothing to observe in production.
    }
}
