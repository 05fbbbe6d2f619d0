package io.ashbysync.search;

/**
 * One posting list kind of the search index. Every candidate is on {@link #ALL}; the others hold the candidates that
 * have the value: on the candidate ({@link #TAG}) or on at least one of its applications (the rest).
 */
enum Facet {
    ALL, JOB, STAGE, STATUS, REASON, SOURCE, TAG;

    /** Partition key of the list for one value (ALL has none). */
    String listKey(String tenantId, String value) {
        return this == ALL ? "TENANT#" + tenantId + "#SEARCH#ALL" : "TENANT#" + tenantId + "#SEARCH#" + name() + "#" + value;
    }
}
