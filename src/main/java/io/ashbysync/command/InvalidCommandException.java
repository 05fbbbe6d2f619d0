package io.ashbysync.command;

/** A command that can never succeed as sent; it is answered, not retried. */
public class InvalidCommandException extends RuntimeException {
    private final String field;

    public InvalidCommandException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
