package io.ashbysync.ashby;

/**
 * Where a listing stands: the sync token the pass started from (null for a full listing) and the cursor of the next
 * page (null before the first page). Saved after each page, it lets a crashed pass resume where it stopped.
 */
public record ListPosition(String syncToken, String cursor) {
    public static final ListPosition FULL = new ListPosition(null, null);

    public static ListPosition incrementalFrom(String syncToken) {
        return new ListPosition(syncToken, null);
    }

    public boolean isFull() {
        return syncToken == null;
    }
}
