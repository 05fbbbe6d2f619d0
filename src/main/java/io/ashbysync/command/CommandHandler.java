package io.ashbysync.command;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs one command type. Implementations are CDI beans found by {@link #type()}. {@link #validate} runs before any
 * side effect; {@link #execute} may be called again after a crash with the progress it saved, and must resume
 * without repeating what Ashby already has.
 */
public interface CommandHandler {
    String type();

    /** Throws {@link InvalidCommandException} naming the field; nothing has been done yet. */
    void validate(CommandEnvelope command);

    /** Returns the output of a successful command (the Ashby ids); throws {@link CommandFailedException} for a definite failure. */
    ObjectNode execute(CommandContext context) throws Exception;
}
