package io.ashbysync.work;

/**
 * Runs one type of {@link WorkItem}. Implementations are CDI beans; {@link WorkDispatcher} finds them by
 * {@link #type()}. Throw to have the item retried (it goes back to the queue, then to the dead-letter queue).
 */
public interface WorkHandler {
    String type();

    void handle(WorkItem item) throws Exception;

    /**
     * Items of one batch with the same key run one after the other, others side by side: two items about the same
     * thing (one candidate, one webhook action) never race each other inside an invocation. Default: the item alone.
     */
    default String serialKey(WorkItem item) {
        return item.workId();
    }
}
