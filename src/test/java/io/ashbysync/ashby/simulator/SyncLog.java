package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Cursor paging and incremental sync for one organization. A cursor holds the id snapshot taken on the first page
 * (so records created meanwhile do not shift pages); a sync token holds the change sequence number at the start of
 * the sync that issued it, so the next sync returns every record written after that point.
 */
final class SyncLog {
    static final int MAX_LIMIT = 100;
    private final SimulatedOrganization org;
    private final Map<String, PageState> cursors = new HashMap<>();
    private final Map<String, TokenState> tokens = new HashMap<>();
    private int cursorGeneration;
    private int tokenGeneration;
    private int maxIncrementalPages = Integer.MAX_VALUE;

    private record PageState(String list, List<String> ids, int offset, long syncStartSeq, int generation) {}

    private record TokenState(String list, long seq, int generation) {}

    SyncLog(SimulatedOrganization org) {
        this.org = org;
    }

    void expireCursors() {
        cursorGeneration++;
    }

    void expireSyncTokens() {
        tokenGeneration++;
    }

    void maxIncrementalPages(int pages) {
        this.maxIncrementalPages = pages;
    }

    /**
     * One page of {@code table} for list endpoint {@code list}. {@code syncCapable} lists honour syncToken and
     * return a new one on their last page.
     */
    ObjectNode page(Call call, String list, EntityTable table, Predicate<ObjectNode> filter,
                    Function<ObjectNode, JsonNode> render, boolean syncCapable) {
        return page(call, list, table, table.all(), filter, render, syncCapable);
    }

    /** {@link #page} over some of the table's records ({@code rows}, in the table's order). */
    ObjectNode page(Call call, String list, EntityTable table, List<ObjectNode> rows, Predicate<ObjectNode> filter,
                    Function<ObjectNode, JsonNode> render, boolean syncCapable) {
        Integer requested = call.integer("limit");
        int limit = requested == null ? MAX_LIMIT : requested;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw AshbyError.invalidInput("Field 'limit' must be between 1 and " + MAX_LIMIT);
        }
        String cursor = call.string("cursor");
        String syncToken = syncCapable ? call.string("syncToken") : null;
        PageState state;
        if (cursor != null) {
            state = cursors.get(cursor);
            if (state == null || !state.list.equals(list)) {
                throw new AshbyError("invalid_next_cursor", "Invalid cursor '" + cursor + "'");
            }
            if (state.generation != cursorGeneration) {
                throw new AshbyError("next_cursor_expired", "The cursor has expired; restart the listing");
            }
        } else {
            long since = -1;
            if (syncToken != null) {
                TokenState token = tokens.get(syncToken);
                if (token == null || !token.list.equals(list)) {
                    throw new AshbyError("sync_token_invalid", "Invalid sync token '" + syncToken + "'");
                }
                if (token.generation != tokenGeneration) {
                    throw new AshbyError("sync_token_expired", "The sync token has expired; run a full sync");
                }
                since = token.seq;
            }
            final long after = since;
            List<String> ids = rows.stream()
                    .filter(r -> after < 0 || table.changeSeq(r.get("id").asText()) > after)
                    .filter(filter)
                    .map(r -> r.get("id").asText())
                    .filter(id -> !call.org.missedByListings(id))
                    .toList();
            if (since >= 0 && maxIncrementalPages != Integer.MAX_VALUE
                    && ids.size() > (long) maxIncrementalPages * limit) {
                throw new AshbyError("incremental_sync_too_large",
                        "Too many changes since the sync token was issued; run a full sync");
            }
            state = new PageState(list, ids, 0, org.currentChangeSeq(), cursorGeneration);
        }
        int end = Math.min(state.offset + limit, state.ids.size());
        ArrayNode results = Json.array();
        for (String id : state.ids.subList(state.offset, end)) {
            ObjectNode row = table.get(id);
            if (row != null) {
                results.add(render.apply(row));
            }
        }
        ObjectNode response = Call.ok(results);
        boolean more = end < state.ids.size();
        response.put("moreDataAvailable", more);
        if (more) {
            String next = Ids.base64Url(84);
            cursors.put(next, new PageState(list, state.ids, end, state.syncStartSeq, state.generation));
            response.put("nextCursor", next);
        } else if (syncCapable) {
            String token = Ids.base62(9);
            tokens.put(token, new TokenState(list, state.syncStartSeq, tokenGeneration));
            response.put("syncToken", token);
        }
        return response;
    }
}
