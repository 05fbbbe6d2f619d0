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
import io.ashbysync.tenant.TenantStore;
import io.ashbysync.work.WorkHandler;
import io.ashbysync.work.WorkItem;
import jakarta.enterprise.context.ApplicationScoped;
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
 * Safe to run twice: every write is conditional on content, and the document is sent only when its hash changed.
 */
@ApplicationScoped
public class CandidateDetailsWork implements WorkHandler {
    public static final String TYPE = "mirror.candidateDetails";
    private static final Logger LOG = Logger.getLogger(CandidateDetailsWork.class);

    private final TenantStore tenants;
    private final AshbyClient ashby;
    private final MirrorStore mirror;
    private final FileCopier files;
    private final CandidateDocuments documents;
    private final ObjectMapper mapper;

    public CandidateDetailsWork(TenantStore tenants, AshbyClient ashby, MirrorStore mirror, FileCopier files,
                                CandidateDocuments documents, ObjectMapper mapper) {
        this.tenants = tenants;
        this.ashby = ashby;
        this.mirror = mirror;
        this.files = files;
        this.documents = documents;
        this.mapper = mapper;
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
    public void handle(WorkItem item) {
        String tenantId = item.tenantId();
        String candidateId = item.payload().path("candidateId").asText();
        Set<String> staleHistories = new HashSet<>();
        item.payload().path("applicationIds").forEach(id -> staleHistories.add(id.asText()));
        boolean candidateChanged = item.payload().path("candidateChanged").asBoolean(true);
        MirrorRow candidate = mirror.get(tenantId, CandidateDocuments.CANDIDATE, candidateId, MirrorStore.ITEM).orElse(null);
        if (candidate == null || candidate.deleted()) {
            // its own work item follows once the candidate stream has written it
            LOG.debugf("candidate %s is not mirrored; details skipped", candidateId);
            return;
        }
        AshbySession session = ashby.forTenant(tenants.get(tenantId));
        try {
            refreshHistories(session, tenantId, candidate.data(), staleHistories);
            if (candidateChanged) {
                refreshNotes(session, tenantId, candidateId);
                refreshFiles(session, tenantId, candidateId, candidate.data());
            }
        } catch (AshbyException.Rejected gone) {
            // deleted or merged in Ashby since it was listed; the next full pass reconciles it
            LOG.infof("candidate %s details not readable (%s); left for reconciliation", candidateId, gone.code());
        }
        documents.publishIfChanged(tenantId, candidateId);
    }

    private void refreshHistories(AshbySession session, String tenantId, JsonNode candidate, Set<String> stale) {
        for (JsonNode id : candidate.path("applicationIds")) {
            String applicationId = id.asText();
            if (!stale.contains(applicationId)
                    && mirror.get(tenantId, CandidateDocuments.APPLICATION, applicationId, MirrorStore.HISTORY).isPresent()) {
                continue;
            }
            ArrayNode history = mapper.createArrayNode();
            session.pages(AshbyEndpoint.APPLICATION_LIST_HISTORY, Map.of("applicationId", applicationId), JsonNode.class, ListPosition.FULL)
                    .forEach(page -> page.results().forEach(history::add));
            mirror.upsertChild(tenantId, CandidateDocuments.APPLICATION, applicationId, MirrorStore.HISTORY, history);
        }
    }

    private void refreshNotes(AshbySession session, String tenantId, String candidateId) {
        List<JsonNode> notes = session.callForList(AshbyEndpoint.CANDIDATE_LIST_NOTES, Map.of("candidateId", candidateId), JsonNode.class);
        Set<String> listed = new HashSet<>();
        for (JsonNode note : notes) {
            String noteId = note.path("id").asText();
            listed.add(MirrorStore.NOTE + noteId);
            mirror.upsertChild(tenantId, CandidateDocuments.CANDIDATE, candidateId, MirrorStore.NOTE + noteId, note);
        }
        mirror.children(tenantId, CandidateDocuments.CANDIDATE, candidateId, MirrorStore.NOTE).stream()
                .filter(row -> !listed.contains(row.childKey()))
                .forEach(row -> mirror.deleteChild(tenantId, CandidateDocuments.CANDIDATE, candidateId, row.childKey()));
    }

    private void refreshFiles(AshbySession session, String tenantId, String candidateId, JsonNode candidate) {
        Map<String, JsonNode> handles = new LinkedHashMap<>();
        String resumeId = candidate.path("resumeFileHandle").path("id").asText(null);
        if (resumeId != null) handles.put(resumeId, candidate.get("resumeFileHandle"));
        candidate.path("fileHandles").forEach(h -> handles.putIfAbsent(h.path("id").asText(), h));
        Map<String, MirrorRow> stored = new LinkedHashMap<>();
        mirror.children(tenantId, CandidateDocuments.CANDIDATE, candidateId, MirrorStore.FILE)
                .forEach(row -> stored.put(row.childKey().substring(MirrorStore.FILE.length()), row));
        for (Map.Entry<String, JsonNode> handle : handles.entrySet()) {
            String fileId = handle.getKey();
            boolean isResume = fileId.equals(resumeId);
            MirrorRow known = stored.get(fileId);
            ObjectNode file;
            if (known != null) {
                file = ((ObjectNode) known.data()).deepCopy();
            } else {
                FileCopier.StoredFile copy = files.copy(session, candidateId, fileId, handle.getValue().path("name").asText(),
                        handle.getValue().path("handle").asText());
                file = mapper.createObjectNode().put("fileId", fileId).put("name", handle.getValue().path("name").asText())
                        .put("bucket", copy.bucket()).put("key", copy.key()).put("size", copy.size()).put("sha256", copy.sha256());
            }
            file.put("isResume", isResume);
            mirror.upsertChild(tenantId, CandidateDocuments.CANDIDATE, candidateId, MirrorStore.FILE + fileId, file);
        }
        List<String> removed = new ArrayList<>(stored.keySet());
        removed.removeAll(handles.keySet());
        for (String fileId : removed) {
            files.delete(stored.get(fileId).data().path("key").asText());
            mirror.deleteChild(tenantId, CandidateDocuments.CANDIDATE, candidateId, MirrorStore.FILE + fileId);
        }
    }
}
