package io.ashbysync.ashby;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param next        where to resume after this page (checkpoint it once the page's data is durable)
 * @param newSyncToken present only on the last page of a sync-capable listing: replaces the old token once the whole
 *                    pass is applied
 */
public record AshbyPage<T>(List<T> results, boolean last, ListPosition next, String newSyncToken, String requestId) {
    public Optional<String> syncToken() {
        return Optional.ofNullable(newSyncToken);
    }
}
