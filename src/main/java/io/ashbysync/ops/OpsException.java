package io.ashbysync.ops;

/** An admin request that cannot be done as asked; {@code status} is the HTTP answer, the message says why. */
public class OpsException extends RuntimeException {
    private final int status;

    public OpsException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
