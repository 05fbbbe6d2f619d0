package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import io.ashbysync.search.SearchIndex;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The one outbound document per candidate: the full ATS profile as mirrored (candidate, applications with their
 * stage history, notes, stored files) plus the linked Findem profile id. Sent only when its content differs from the
 * last one sent for that candidate (its hash is kept on the candidate's mirror row).
 */
@ApplicationScoped
public class CandidateDocuments {
    public static final String CANDIDATE = "CANDIDATE";
    public static final String APPLICATION = "APPLICATION";
    public static final String UPSERTED = "candidate.upserted";

    private final MirrorStore mirror;
    private final IdentityIndex identity;
    private final EventPublisher events;
    private final ObjectMapper mapper;
    private final SearchIndex searchIndex;

    public CandidateDocuments(MirrorStore mirror, IdentityIndex identity, EventPublisher events, ObjectMapper mapper,
                              SearchIndex searchIndex) {
        this.mirror = mirror;
        this.identity = identity;
        this.events = events;
        this.mapper = mapper;
        this.searchIndex = searchIndex;
    }

    /** Builds the candidate's document from the mirror; empty when the candidate is not (or no longer) mirrored. */
    public Optional<ObjectNode> build(String tenantId, String candidateId) {
        Optional<MirrorRow> candidate = mirror.get(tenantId, CANDIDATE, candidateId, MirrorStore.ITEM).filter(r -> !r.deleted());
        if (candidate.isEmpty()) return Optional.empty();
        ObjectNode document = mapper.createObjectNode();
        document.set("candidate", candidate.get().data());
        document.put("findemProfileId", identity.identity(tenantId, candidateId).map(IdentityIndex.Identity::findemProfileId).orElse(null));
        List<String> applicationIds = new ArrayList<>();
        candidate.get().data().path("applicationIds").forEach(id -> applicationIds.add(id.asText()));
        ArrayNode applications = document.putArray("applications");
        mirror.getAll(tenantId, APPLICATION, applicationIds).stream()
                .filter(a -> !a.deleted())
                .sorted(Comparator.comparing(MirrorRow::entityId))
                .forEach(a -> {
                    ObjectNode application = a.data().deepCopy();
                    application.set("applicationHistory", mirror.get(tenantId, APPLICATION, a.entityId(), MirrorStore.HISTORY)
                            .map(MirrorRow::data).orElse(mapper.createArrayNode()));
                    applications.add(application);
                });
        ArrayNode notes = document.putArray("notes");
        mirror.children(tenantId, CANDIDATE, candidateId, MirrorStore.NOTE).stream()
                .map(MirrorRow::data)
                .sorted(Comparator.comparing((JsonNode n) -> n.path("createdAt").asText()).thenComparing(n -> n.path("id").asText()))
                .forEach(notes::add);
        ArrayNode files = document.putArray("files");
        mirror.children(tenantId, CANDIDATE, candidateId, MirrorStore.FILE).stream()
                .map(MirrorRow::data)
                .sorted(Comparator.comparing(f -> f.path("fileId").asText()))
                .forEach(files::add);
        return Optional.of(document);
    }

    /** Sends the candidate's document unless the same content was sent already. Returns whether it was sent. */
    public boolean publishIfChanged(String tenantId, String candidateId) {
        Optional<ObjectNode> built = build(tenantId, candidateId);
        if (built.isEmpty()) return false;
        ObjectNode document = built.get();
        String documentHash = mirror.hash(document);
        String lastSent = mirror.get(tenantId, CANDIDATE, candidateId, MirrorStore.ITEM).map(MirrorRow::documentHash).orElse(null);
        if (documentHash.equals(lastSent)) return false;
        document.put("documentHash", documentHash);
        String version = latestUpdate(document).map(Instant::toString).orElse(null);
        // Sent before the hash is recorded: a crash in between re-sends (at least once), never loses the change.
        events.publish(List.of(OutboundEvent.of(tenantId + ":candidate:" + candidateId + ":" + documentHash, UPSERTED,
                tenantId, "candidate", candidateId, version, document)));
        // Indexed before the hash is recorded too, so a crash in between re-indexes on the next run.
        searchIndex.index(tenantId, candidateId, document);
        mirror.recordDocumentHash(tenantId, candidateId, documentHash);
        return true;
    }

    private static Optional<Instant> latestUpdate(ObjectNode document) {
        List<String> stamps = new ArrayList<>();
        stamps.add(document.path("candidate").path("updatedAt").asText(null));
        document.path("applications").forEach(a -> stamps.add(a.path("updatedAt").asText(null)));
        return stamps.stream().filter(s -> s != null && !s.isEmpty()).map(Instant::parse).max(Comparator.naturalOrder());
    }
}
