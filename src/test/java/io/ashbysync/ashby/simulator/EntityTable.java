package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One kind of record in an organization, in creation order. Every write stamps the record with the organization's
 * next change sequence number, which is what sync tokens compare against. Callers hold the organization's lock.
 * A table may keep its records grouped by one field (a candidate's notes), so that listing a group does not read
 * every record of the organization.
 */
final class EntityTable {
    private final SimulatedOrganization org;
    private final String groupField;
    private final Map<String, ObjectNode> rows = new LinkedHashMap<>();
    private final Map<String, Long> changeSeq = new HashMap<>();
    private final Map<String, Set<String>> idsByGroup = new HashMap<>();

    EntityTable(SimulatedOrganization org) {
        this(org, null);
    }

    /** @param groupField the field whose value {@link #group} lists records by (they may not change it in place) */
    EntityTable(SimulatedOrganization org, String groupField) {
        this.org = org;
        this.groupField = groupField;
    }

    ObjectNode get(String id) {
        return id == null ? null : rows.get(id);
    }

    void put(ObjectNode row) {
        String id = row.get("id").asText();
        ungroup(rows.put(id, row));
        if (groupField != null) idsByGroup.computeIfAbsent(row.path(groupField).asText(), g -> new LinkedHashSet<>()).add(id);
        changeSeq.put(id, org.nextChangeSeq());
    }

    /** The records whose group field holds {@code value}, in creation order. */
    List<ObjectNode> group(String value) {
        return idsByGroup.getOrDefault(value, Set.of()).stream().map(rows::get).toList();
    }

    /** Moves every record of one group to another (a merge), without marking them changed. */
    void regroup(String from, String to) {
        for (ObjectNode row : group(from)) {
            ungroup(row);
            row.put(groupField, to);
            idsByGroup.computeIfAbsent(to, g -> new LinkedHashSet<>()).add(row.get("id").asText());
        }
    }

    private void ungroup(ObjectNode row) {
        if (row == null || groupField == null) return;
        String group = row.path(groupField).asText();
        Set<String> ids = idsByGroup.get(group);
        if (ids != null && ids.remove(row.get("id").asText()) && ids.isEmpty()) idsByGroup.remove(group);
    }

    /** Marks a record changed (after mutating it in place). */
    void touch(String id) {
        changeSeq.put(id, org.nextChangeSeq());
    }

    ObjectNode remove(String id) {
        changeSeq.remove(id);
        ObjectNode removed = rows.remove(id);
        ungroup(removed);
        return removed;
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
