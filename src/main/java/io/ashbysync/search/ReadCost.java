package io.ashbysync.search;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;

/**
 * What one search request read from DynamoDB: requests, items, and read units. Units are DynamoDB's own
 * {@code ConsumedCapacity} when it reports one, and are also computed from the item sizes by DynamoDB's published rules
 * (a Query is billed on the summed size of the items it read, rounded up to 4 KB; a GetItem/BatchGetItem per item
 * rounded up to 4 KB; an eventually consistent read costs half), so local stores that report nothing are still measured.
 */
public final class ReadCost {
    private static final double BLOCK = 4096;

    private int requests;
    private int items;
    private double reportedUnits;
    private boolean reported = true;
    private double computedUnits;

    /** A Query (or one page of one) that read these items. */
    void query(Collection<Map<String, AttributeValue>> read, boolean consistent, ConsumedCapacity capacity) {
        long bytes = read.stream().mapToLong(ReadCost::itemSize).sum();
        computedUnits += units(bytes, consistent);
        record(read.size(), capacity);
    }

    /** A GetItem or BatchGetItem: each item is billed on its own size. */
    void gets(Collection<Map<String, AttributeValue>> read, boolean consistent, ConsumedCapacity capacity) {
        // a key that found nothing still costs the minimum unit; callers pass what was found, which undercounts misses
        read.forEach(item -> computedUnits += units(itemSize(item), consistent));
        record(read.size(), capacity);
    }

    private void record(int itemCount, ConsumedCapacity capacity) {
        requests++;
        items += itemCount;
        if (capacity == null || capacity.capacityUnits() == null) {
            reported = false;
        } else {
            reportedUnits += capacity.capacityUnits();
        }
    }

    private static double units(long bytes, boolean consistent) {
        double blocks = Math.max(1, Math.ceil(bytes / BLOCK));
        return consistent ? blocks : blocks / 2;
    }

    /** DynamoDB's item size: attribute names plus values (strings in UTF-8, numbers about one byte per two digits). */
    static long itemSize(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8(attribute.getKey()) + valueSize(attribute.getValue());
        }
        return size;
    }

    private static long valueSize(AttributeValue value) {
        if (value.s() != null) return utf8(value.s());
        if (value.n() != null) return (value.n().replaceAll("[^0-9]", "").length() + 1) / 2 + 1;
        if (value.bool() != null || Boolean.TRUE.equals(value.nul())) return 1;
        if (value.hasL()) return 3 + value.l().stream().mapToLong(v -> 1 + valueSize(v)).sum();
        if (value.hasM()) return 3 + value.m().entrySet().stream().mapToLong(e -> 1 + utf8(e.getKey()) + valueSize(e.getValue())).sum();
        if (value.hasSs()) return value.ss().stream().mapToLong(ReadCost::utf8).sum();
        return 0;
    }

    private static long utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    public int requests() {
        return requests;
    }

    public int items() {
        return items;
    }

    /** Read units by DynamoDB's rules, from the sizes of the items read. */
    public double computedUnits() {
        return computedUnits;
    }

    /** Read units DynamoDB reported, or null when a request came back without {@code ConsumedCapacity}. */
    public Double reportedUnits() {
        return reported && requests > 0 ? reportedUnits : null;
    }
}
