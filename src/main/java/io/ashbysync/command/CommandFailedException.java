package io.ashbysync.command;

/** A command that failed for good, with a stable error code for Findem (e.g. {@code job_not_found}). */
public class CommandFailedException extends RuntimeException {
    private final String code;

    public CommandFailedException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
