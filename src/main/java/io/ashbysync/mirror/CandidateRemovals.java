package io.ashbysync.mirror;

import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.search.SearchIndex;
import io.ashbysync.tenant.Quarantine;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A candidate gone from Ashby (deleted, anonymised, or merged into another): the mirror row becomes a tombstone,
 * the stored files are deleted, the identity index forgets it (or re-points it at the survivor of a merge), and
 * Findem gets one {@code candidate.deleted} or {@code candidate.merged} event. Used by the poller's reconciliation
 * and by the webhooks; safe to run twice (a second run finds the tombstone and does nothing).
 */
@ApplicationScoped
public class CandidateRemovals {
    public static final String DELETED = "candidate.deleted";
    public static final String MERGED = "candidate.merged";

    private final MirrorStore mirror;
    private final IdentityIndex identity;
    private final FileCopier files;
    private final Outbox outbox;
    private final SearchIndex searchIndex;
    private final Quarantine quarantine;

    public CandidateRemovals(MirrorStore mirror, IdentityIndex identity, FileCopier files, Outbox outbox, SearchIndex searchIndex,
                             Quarantine quarantine) {
        this.mirror = mirror;
        this.identity = identity;
        this.files = files;
        this.outbox = outbox;
        this.searchIndex = searchIndex;
        this.quarantine = quarantine;
    }

    /**
     * Removes the candidate and tells Findem. The tombstone is the last step and marks the removal done: identity,
     * files and the search index first (a crash in between leaves no tombstone, so a retry redoes the idempotent
     * clean-up instead of finding the tombstone and stopping). The search index's removal leaves the candidate's
     * manifest as the record of the removal, with its revision and {@link Outbox} marker; the event is sent from it,
     * then the tombstone is written. A crash or a failed send never leaves a removal Findem is not told of: the retry
     * or the outbox's sweep sends it.
     *
     * @param survivorId the candidate it was merged into, or null when it was deleted
     * @return whether this call removed it (false: already removed, or never mirrored; its identity rows are cleaned
     *         all the same)
     */
    public boolean remove(String tenantId, String candidateId, String survivorId, Instant tombstoneExpiresAt) {
        Optional<MirrorStore.CandidateRows> rows = mirror.candidateRows(tenantId, candidateId);
        if (rows.isPresent() && rows.get().item().deleted()) return false;
        if (survivorId != null) {
            identity.merge(tenantId, candidateId, survivorId);
        } else {
            identity.remove(tenantId, candidateId);
        }
        List<MirrorStore.ChildWrite> deletes = new ArrayList<>();
        rows.ifPresent(r -> r.files().values().forEach(file -> {
            files.delete(file.data().path("key").asText());
            if (file.data().path(CandidateDetailsWork.QUARANTINED).asBoolean()) {
                quarantine.release(tenantId, CandidateDetailsWork.FILE_INFO, file.data().path("fileId").asText());
            }
            deletes.add(new MirrorStore.ChildWrite(CandidateDocuments.CANDIDATE, candidateId, file.childKey(), null));
        }));
        mirror.writeChildren(tenantId, deletes);
        if (rows.isEmpty()) return false;
        long revision = searchIndex.remove(tenantId, candidateId, new SearchIndex.Removal(survivorId, tombstoneExpiresAt));
        outbox.candidateRemoved(tenantId, candidateId, survivorId, revision);
        return mirror.tombstone(tenantId, CandidateDocuments.CANDIDATE, candidateId, tombstoneExpiresAt, false).isPresent();
    }
}
