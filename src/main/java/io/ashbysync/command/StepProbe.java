package io.ashbysync.command;

/**
 * Called right after each Ashby write of a command, before its progress is saved: the riskiest moment for a crash.
 * The production bean does nothing; tests replace it to crash there and prove that a redelivery does not repeat the
 * write.
 */
public interface StepProbe {
    void afterAshbyWrite(String commandType, String step);
}
