package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.ListPosition;
import io.ashbysync.platform.TtlCache;
import io.ashbysync.poll.PollerConfig;
import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.work.WorkHandler;
import io.ashbysync.work.WorkItem;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The per-candidate part of the mirror, fanned out by the poller so many invocations share the tenant's request
 * budget: stage history of the named applications (and of any application whose history is not mirrored yet),
 * notes, files copied to S3; then the candidate's outbound document if anything in it changed.
 * Safe to run twice: what was read is written with the document's index once the document is sent, and the document is
 * sent only when its hash changed.
 */
@ApplicationScoped
public class CandidateDetailsWork implements WorkHandler {
    public static final String TYPE = "mirror.candidateDetails";
    private static final Logger LOG = Logger.getLogger(CandidateDetailsWork.class);
    /**
     * How long one read of a tenant's config serves its details work: a backfill runs thousands of items a minute per
     * tenant, and a change of key, budget or status may take this long to reach them.
     */
    private static final Duration TENANT_CONFIG_REUSE = Duration.ofSeconds(10);
    /** The quarantine's source for files whose {@code file.info} answer cannot be used. */
    static final String FILE_INFO = "file.info";
    static final String STORED = "stored";
    static final String SKIPPED = "skipped";
    static final String UNAVAILABLE = "unavailable";
    /**
     * Bookkeeping on a file's row, not part of the document ({@link CandidateDocuments} drops fields starting with
     * {@code _}): the hash of the handle and the cap a file was skipped under, whether it is quarantined.
     */
    static final String HANDLE_HASH = "_handleHash";
    static final String MAX_BYTES = "_maxBytes";
    static final String QUARANTINED = "_quarantined";

    private final TenantStore tenants;
    private final AshbyClient ashby;
    private final MirrorStore mirror;
    private final FileCopier files;
    private final CandidateDocuments documents;
    private final Outbox outbox;
    private final ObjectMapper mapper;
    private final Quarantine quarantine;
    private final PollerConfig config;
    private final TtlCache<TenantConfig> tenantConfigs = new TtlCache<>(TENANT_CONFIG_REUSE, Clock.systemUTC());

    public CandidateDetailsWork(TenantStore tenants, AshbyClient ashby, MirrorStore mirror, FileCopier files,
                                CandidateDocuments documents, Outbox outbox, ObjectMapper mapper, Quarantine quarantine,
                                PollerConfig config) {
        this.tenants = tenants;
        this.ashby = ashby;
        this.mirror = mirror;
        this.files = files;
        this.documents = documents;
        this.outbox = outbox;
        this.mapper = mapper;
        this.quarantine = quarantine;
        this.config = config;
    }

    /** A work item for one candidate; {@code applicationIds}: applications whose history must be re-read. */
    public static WorkItem item(ObjectMapper mapper, String tenantId, String candidateId, boolean candidateChanged,
                                List<String> applicationIds, String passId) {
        ObjectNode payload = mapper.createObjectNode().put("candidateId", candidateId).put("candidateChanged", candidateChanged);
        ArrayNode apps = payload.putArray("applicationIds");
        applicationIds.forEach(apps::add);
        return new WorkItem(TYPE, tenantId, passId + ":" + candidateId, payload);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String serialKey(WorkItem item) {
        return item.payload().path("candidateId").asText();
    }

    @Override
    public void handle(WorkItem item) {
        String tenantId = item.tenantId();
        String candidateId = item.payload().path("candidateId").asText();
        Set<String> staleHistories = new HashSet<>();
        item.payload().path("applicationIds").forEach(id -> staleHistories.add(id.asText()));
        boolean candidateChanged = item.payload().path("candidateChanged").asBoolean(true);
        TenantConfig tenant = tenantConfigs.get(tenantId, () -> tenants.get(tenantId));
        if (!tenant.status().mirrorsAshby()) {
            LOG.infof("tenant is %s; candidate %s details not read", tenant.status(), candidateId);
            return;
        }
        MirrorStore.CandidateRows rows = mirror.candidateRows(tenantId, candidateId).orElse(null);
        if (rows == null || rows.item().deleted()) {
            // its own work item follows once the candidate stream has written it
            LOG.debugf("candidate %s is not mirrored; details skipped", candidateId);
            return;
        }
        CandidateDocuments.Related related = documents.related(tenantId, candidateId, CandidateDocuments.applicationIds(rows.item().data()));
        Map<String, MirrorStore.ApplicationRows> applications = related.applications();
        Map<String, JsonNode> histories = new LinkedHashMap<>();
        applications.forEach((id, a) -> histories.put(id, a.history() == null ? null : a.history().data()));
        Map<String, JsonNode> notes = new LinkedHashMap<>();
        rows.notes().forEach((key, row) -> notes.put(key, row.data()));
        Map<String, JsonNode> storedFiles = new LinkedHashMap<>();
        rows.files().forEach((key, row) -> storedFiles.put(key, row.data()));
        List<MirrorStore.ChildWrite> writes = new ArrayList<>();
        AshbySession session = ashby.forTenant(tenant);
        try {
            refreshHistories(session, histories, staleHistories, writes);
            if (candidateChanged) {
                refreshNotes(session, candidateId, rows.notes(), notes, writes);
                refreshFiles(session, candidateId, rows.item().data(), storedFiles, writes);
            }
        } catch (AshbyException.Rejected gone) {
            // deleted or merged in Ashby since it was listed; the next full pass reconciles it
            LOG.infof("candidate %s details not readable (%s); left for reconciliation", candidateId, gone.code());
        }
        List<JsonNode> documentApplications = new ArrayList<>();
        applications.forEach((id, a) -> {
            if (!a.item().deleted()) documentApplications.add(documents.withHistory(a.item().data(), histories.get(id)));
        });
        documents.publishIfChanged(tenantId, new CandidateDocuments.Snapshot(rows.item(), documentApplications,
                List.copyOf(notes.values()), List.copyOf(storedFiles.values()), related.findemProfileId(), rows.searchManifest()), writes);
        // the candidate's and its applications' changes are in the document sent (or already were)
        List<MirrorRow> carried = new ArrayList<>(List.of(rows.item()));
        applications.values().forEach(a -> carried.add(a.item()));
        outbox.carried(tenantId, carried);
    }

    /** Re-reads the named applications' histories and any not mirrored yet; {@code histories} ends up current. */
    private void refreshHistories(AshbySession session, Map<String, JsonNode> histories, Set<String> stale,
                                  List<MirrorStore.ChildWrite> writes) {
        for (Map.Entry<String, JsonNode> entry : histories.entrySet()) {
            String applicationId = entry.getKey();
            if (!stale.contains(applicationId) && entry.getValue() != null) continue;
            ArrayNode history = mapper.createArrayNode();
            session.pages(AshbyEndpoint.APPLICATION_LIST_HISTORY, Map.of("applicationId", applicationId), JsonNode.class, ListPosition.FULL)
                    .forEach(page -> page.results().forEach(history::add));
            if (!history.equals(entry.getValue())) {
                writes.add(new MirrorStore.ChildWrite(CandidateDocuments.APPLICATION, applicationId, MirrorStore.HISTORY, history));
                entry.setValue(history);
            }
        }
    }

    /** Notes as Ashby lists them now: new and changed ones written, vanished ones deleted; {@code notes} ends up current. */
    private void refreshNotes(AshbySession session, String candidateId, Map<String, MirrorRow> stored, Map<String, JsonNode> notes,
                              List<MirrorStore.ChildWrite> writes) {
        notes.clear();
        for (JsonNode note : session.callForList(AshbyEndpoint.CANDIDATE_LIST_NOTES, Map.of("candidateId", candidateId), JsonNode.class)) {
            String key = MirrorStore.NOTE + note.path("id").asText();
            notes.put(key, note);
            MirrorRow known = stored.get(key);
            if (known == null || !known.hash().equals(mirror.hash(note))) {
                writes.add(new MirrorStore.ChildWrite(CandidateDocuments.CANDIDATE, candidateId, key, note));
            }
        }
        stored.keySet().stream().filter(key -> !notes.containsKey(key))
                .forEach(key -> writes.add(new MirrorStore.ChildWrite(CandidateDocuments.CANDIDATE, candidateId, key, null)));
    }

    /**
     * The resume and attachments the candidate record names: new ones copied to S3, vanished ones deleted from S3;
     * {@code files} (by child key) ends up current. One file that cannot be copied never holds up the others or the
     * document: it is listed with its {@code status} and {@code reason} (see {@link #fetch}). A stored file is kept as
     * it is; a skipped one is not downloaded again until its handle or the size cap changes; an unavailable one is
     * tried again on the candidate's next details run (a change, or the daily full pass).
     */
    private void refreshFiles(AshbySession session, String candidateId, JsonNode candidate, Map<String, JsonNode> files,
                              List<MirrorStore.ChildWrite> writes) {
        Map<String, JsonNode> handles = new LinkedHashMap<>();
        String resumeId = candidate.path("resumeFileHandle").path("id").asText(null);
        if (resumeId != null) handles.put(resumeId, candidate.get("resumeFileHandle"));
        candidate.path("fileHandles").forEach(h -> handles.putIfAbsent(h.path("id").asText(), h));
        Map<String, JsonNode> current = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> handle : handles.entrySet()) {
            String fileId = handle.getKey();
            String key = MirrorStore.FILE + fileId;
            JsonNode known = files.get(key);
            String name = handle.getValue().path("name").asText();
            String fileHandle = handle.getValue().path("handle").asText();
            ObjectNode file = stillValid(known, fileHandle) ? ((ObjectNode) known).deepCopy()
                    : fetch(session, candidateId, fileId, name, fileHandle, known);
            file.put("isResume", fileId.equals(resumeId));
            if (!file.equals(known)) writes.add(new MirrorStore.ChildWrite(CandidateDocuments.CANDIDATE, candidateId, key, file));
            current.put(key, file);
        }
        files.forEach((key, stored) -> {
            if (!current.containsKey(key)) {
                this.files.delete(stored.path("key").asText());
                if (stored.path(QUARANTINED).asBoolean()) quarantine.release(session.tenantId(), FILE_INFO, stored.path("fileId").asText());
                writes.add(new MirrorStore.ChildWrite(CandidateDocuments.CANDIDATE, candidateId, key, null));
            }
        });
        files.clear();
        files.putAll(current);
    }

    /** Whether the file's row stands as it is: stored, or skipped for its size under the same handle and cap. */
    private boolean stillValid(JsonNode known, String fileHandle) {
        if (known == null) return false;
        return switch (known.path("status").asText(STORED)) {
            case STORED -> true;
            case SKIPPED -> known.path(HANDLE_HASH).asText().equals(mirror.hash(mapper.getNodeFactory().textNode(fileHandle)))
                    && known.path(MAX_BYTES).asLong() == config.maxFileBytes();
            default -> false;
        };
    }

    /**
     * The file's row, from {@code file.info} and a copy to S3, with its {@code status}:
     * <ul>
     *   <li>{@code stored}: copied; {@code bucket}, {@code key}, {@code size}, {@code sha256};</li>
     *   <li>{@code skipped}: larger than {@code ashby-sync.poller.max-file-bytes}; {@code reason}, {@code size} when
     *       declared. The handle (hashed) and the cap are kept on the row, so it is not downloaded on every run;</li>
     *   <li>{@code unavailable}: {@code file.info} answered malformed (the file is also quarantined: a defect of this
     *       one item, for an operator to see on the status page) or refused it definitely ({@code success:false}, as
     *       Ashby's demo accounts do for every file: Ashby's own answer about the file, which the document carries, and
     *       quarantining it would fill the status page with one row per file of such a tenant); {@code reason}.</li>
     * </ul>
     * Transient failures (Ashby unavailable or throttling, a download that fails or stalls, the deadline) propagate: the
     * work item is retried. Permission and key errors propagate too: they concern the tenant, not the file.
     */
    private ObjectNode fetch(AshbySession session, String candidateId, String fileId, String name, String fileHandle, JsonNode known) {
        ObjectNode file = mapper.createObjectNode().put("fileId", fileId).put("name", name);
        boolean wasQuarantined = known != null && known.path(QUARANTINED).asBoolean();
        try {
            switch (this.files.copy(session, candidateId, fileId, name, fileHandle)) {
                case FileCopier.StoredFile copy -> file.put("status", STORED).put("bucket", copy.bucket()).put("key", copy.key())
                        .put("size", copy.size()).put("sha256", copy.sha256());
                case FileCopier.TooLarge tooLarge -> {
                    file.put("status", SKIPPED).put("reason", "larger than the " + tooLarge.maxBytes() + "-byte limit for copied files");
                    if (tooLarge.size() != null) file.put("size", tooLarge.size());
                    file.put(HANDLE_HASH, mirror.hash(mapper.getNodeFactory().textNode(fileHandle))).put(MAX_BYTES, tooLarge.maxBytes());
                    LOG.infof("file %s of candidate %s not copied: %s", fileId, candidateId, file.get("reason").asText());
                }
            }
            if (wasQuarantined) quarantine.release(session.tenantId(), FILE_INFO, fileId);
        } catch (AshbyException.MalformedResponse malformed) {
            quarantine.record(session.tenantId(), FILE_INFO, fileId, "candidate " + candidateId + ", file '" + name + "': "
                    + malformed.getMessage());
            // the reason stays the same from one try to the next (no request id), so an unchanged failure re-sends nothing
            file.put("status", UNAVAILABLE).put("reason", "Ashby's answer to file.info for this file is malformed").put(QUARANTINED, true);
        } catch (AshbyException.Rejected refused) {
            if (wasQuarantined) quarantine.release(session.tenantId(), FILE_INFO, fileId);
            LOG.infof("file %s of candidate %s is not available: file.info answered %s", fileId, candidateId, refused.code());
            file.put("status", UNAVAILABLE).put("reason", "Ashby refused file.info for this file (" + refused.code() + ")");
        }
        return file;
    }
}
