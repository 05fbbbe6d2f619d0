package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One kind of record in an organization, in creation order. Every write stamps the record with the organization's
 * next change sequence number, which is what sync tokens compare against. Callers hold the organization's lock.
 */
final class EntityTable {
    private final SimulatedOrganization org;
    private final Map<String, ObjectNode> rows = new LinkedHashMap<>();
    private final Map<String, Long> changeSeq = new HashMap<>();

    EntityTable(SimulatedOrganization org) {
        this.org = org;
    }

    ObjectNode get(String id) {
        return id == null ? null : rows.get(id);
    }

    void put(ObjectNode row) {
        String id = row.get("id").asText();
        rows.put(id, row);
        changeSeq.put(id, org.nextChangeSeq());
    }

    /** Marks a record changed (after mutating it in place). */
    void touch(String id) {
        changeSeq.put(id, org.nextChangeSeq());
    }

    ObjectNode remove(String id) {
        changeSeq.remove(id);
        return rows.remove(id);
    }

    long changeSeq(String id) {
        return changeSeq.getOrDefault(id, 0L);
    }

    List<ObjectNode> all() {
        return new ArrayList<>(rows.values());
    }

    int size() {
        return rows.size();
    }
}
