package io.ashbysync.poll;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the poller and the mirror it keeps ({@code ashby-sync.poller.*}). */
@ConfigMapping(prefix = "ashby-sync.poller")
public interface PollerConfig {
    /** S3 bucket that holds copies of candidates' files (Ashby's download URLs expire). */
    String filesBucket();

    /**
     * Largest candidate file copied to S3 (50 MB); a larger one is listed in the candidate's document as skipped. A copy
     * streams (memory stays flat) but a body without a length is spooled under /tmp (512 MB in template.yaml's
     * functions), so at most 256 MB / this many spool at once.
     */
    @WithDefault("52428800")
    long maxFileBytes();

    /** How often each token stream is listed in full, so ids missing from Ashby (deleted, merged) are reconciled. */
    @WithDefault("24h")
    Duration reconcileInterval();

    /** How often reference lists without sync tokens (archive reasons, sources, templates, postings, stages) are re-read. */
    @WithDefault("1h")
    Duration referenceRefreshInterval();

    /** A pass stops starting new pages when less than this is left of the invocation, leaving its checkpoint. */
    @WithDefault("20s")
    Duration stopMargin();

    /**
     * Whether a full pass re-reads the notes of candidates it finds unchanged: notes change without the candidate's
     * {@code updatedAt}, and Ashby has no tenant-wide note stream. Costs one call per candidate per full pass.
     */
    @WithDefault("true")
    boolean recheckNotesOnFullPass();

    /** Tenants synced at once by one poller invocation, each on its own virtual thread. */
    @WithDefault("16")
    int tenantConcurrency();

    /**
     * How old a change must be before the poller's sweep sends it for a writer that did not ({@link
     * io.ashbysync.mirror.Outbox#sweep}): long enough that a writer still at work sends it itself (a re-send is only a
     * duplicate, but needless).
     */
    @WithDefault("2m")
    Duration unsentGrace();

    /** How long a tombstone of a deleted Ashby record stays in the mirror (DynamoDB TTL). */
    @WithDefault("30d")
    Duration tombstoneRetention();
}
