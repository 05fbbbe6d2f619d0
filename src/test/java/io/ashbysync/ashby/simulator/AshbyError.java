package io.ashbysync.ashby.simulator;

/** A request Ashby answers with HTTP 200 and success:false (validation, not found, state errors). */
public final class AshbyError extends RuntimeException {
    private final String code;

    public AshbyError(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static AshbyError invalidInput(String message) {
        return new AshbyError("invalid_input", message);
    }

    public static AshbyError notFound(String code, String what) {
        return new AshbyError(code, what + " not found - are you lacking permissions to access it?");
    }
}
