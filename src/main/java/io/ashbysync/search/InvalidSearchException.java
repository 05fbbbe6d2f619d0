package io.ashbysync.search;

/** A search request the API refuses (answered with 400 and the message, which names the parameter). */
public class InvalidSearchException extends RuntimeException {
    public InvalidSearchException(String message) {
        super(message);
    }
}
