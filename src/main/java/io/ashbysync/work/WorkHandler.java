package io.ashbysync.work;

/**
 * Runs one type of {@link WorkItem}. Implementations are CDI beans; {@link WorkDispatcher} finds them by
 * {@link #type()}. Throw to have the item retried (it goes back to the queue, then to the dead-letter queue).
 */
public interface WorkHandler {
    String type();

    void handle(WorkItem item) throws Exception;
}
