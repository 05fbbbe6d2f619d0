package io.ashbysync.work;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One unit of internal work on the work queue (fanned-out backfill work, stored webhook deliveries, chunks of bulk
 * commands), consumed by the `commands` function.
 *
 * @param type    which {@link WorkHandler} runs it, e.g. {@code mirror.candidateDetails}
 * @param workId  stable id of this unit, for idempotency and logs
 */
public record WorkItem(String type, String tenantId, String workId, ObjectNode payload) {}
