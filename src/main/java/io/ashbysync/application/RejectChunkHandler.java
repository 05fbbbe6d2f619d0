package io.ashbysync.application;

import io.ashbysync.work.WorkHandler;
import io.ashbysync.work.WorkItem;
import jakarta.enterprise.context.ApplicationScoped;

/** Runs one chunk of a rejection from the work queue. */
@ApplicationScoped
public class RejectChunkHandler implements WorkHandler {
    private final RejectionJobs jobs;

    public RejectChunkHandler(RejectionJobs jobs) {
        this.jobs = jobs;
    }

    @Override
    public String type() {
        return RejectionJobs.CHUNK_WORK_TYPE;
    }

    @Override
    public void handle(WorkItem item) {
        jobs.runChunk(item.tenantId(), item.payload().get("jobId").asText(), item.payload().get("chunk").asInt());
    }
}
