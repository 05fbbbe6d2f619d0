package io.ashbysync.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import io.ashbysync.search.SearchIndex;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The one outbound document per candidate: the full ATS profile as mirrored (candidate, applications with their
 * stage history, notes, stored files) plus the linked Findem profile id. Sent only when its content differs from the
 * last one sent for that candidate: its hash is kept on the candidate's search index manifest, written with the index
 * and the {@link Outbox} marker, then the document is sent under the manifest's revision.
 */
@ApplicationScoped
public class CandidateDocuments {
    public static final String CANDIDATE = "CANDIDATE";
    public static final String APPLICATION = "APPLICATION";
    public static final String UPSERTED = "candidate.upserted";

    private final MirrorStore mirror;
    private final Outbox outbox;
    private final EventPublisher events;
    private final ObjectMapper mapper;
    private final SearchIndex searchIndex;
    private final DynamoDbClient dynamo;
    private final AwsResources resources;

    public CandidateDocuments(MirrorStore mirror, Outbox outbox, EventPublisher events, ObjectMapper mapper, SearchIndex searchIndex,
                              DynamoDbClient dynamo, AwsResources resources) {
        this.mirror = mirror;
        this.outbox = outbox;
        this.events = events;
        this.mapper = mapper;
        this.searchIndex = searchIndex;
        this.dynamo = dynamo;
        this.resources = resources;
    }

    /**
     * What a candidate's document is made of, as mirrored: the candidate's row, its applications each with
     * {@code applicationHistory} set, its notes and stored files; and the candidate's search index manifest as read
     * with them, which holds the hash of the last document sent (and saves the index a read of its own).
     */
    public record Snapshot(MirrorRow candidate, List<JsonNode> applications, List<JsonNode> notes, List<JsonNode> files,
                           String findemProfileId, Map<String, AttributeValue> searchManifest) {}

    /** What a document holds from outside the candidate's partition: its applications with their histories, its link. */
    public record Related(Map<String, MirrorStore.ApplicationRows> applications, String findemProfileId) {}

    /** The candidate's {@link Related} rows, read in one batch across the mirror and identity tables. */
    public Related related(String tenantId, String candidateId, List<String> applicationIds) {
        Map<String, List<Map<String, AttributeValue>>> keys = Map.of(
                resources.mirrorTable(), mirror.applicationKeys(tenantId, applicationIds),
                resources.identityTable(), List.of(IdentityIndex.identityKey(tenantId, candidateId)));
        Map<String, List<Map<String, AttributeValue>>> found = DynamoBatch.getAll(dynamo, keys, true);
        String findemProfileId = found.getOrDefault(resources.identityTable(), List.of()).stream().findFirst()
                .flatMap(row -> IdentityIndex.identity(candidateId, row)).map(IdentityIndex.Identity::findemProfileId).orElse(null);
        return new Related(mirror.applicationsWithHistory(tenantId, applicationIds, found.getOrDefault(resources.mirrorTable(), List.of())),
                findemProfileId);
    }

    /** Reads the candidate's snapshot from the mirror (two reads); empty when it is not (or no longer) mirrored. */
    public Optional<Snapshot> snapshot(String tenantId, String candidateId) {
        Optional<MirrorStore.CandidateRows> rows = mirror.candidateRows(tenantId, candidateId).filter(r -> !r.item().deleted());
        if (rows.isEmpty()) return Optional.empty();
        Related related = related(tenantId, candidateId, applicationIds(rows.get().item().data()));
        List<JsonNode> applications = new ArrayList<>();
        related.applications().values().stream()
                .filter(a -> !a.item().deleted())
                .forEach(a -> applications.add(withHistory(a.item().data(), a.history() == null ? null : a.history().data())));
        return Optional.of(new Snapshot(rows.get().item(), applications,
                rows.get().notes().values().stream().map(MirrorRow::data).toList(),
                rows.get().files().values().stream().map(MirrorRow::data).toList(), related.findemProfileId(),
                rows.get().searchManifest()));
    }

    /** The Ashby application ids a candidate record lists. */
    public static List<String> applicationIds(JsonNode candidate) {
        List<String> ids = new ArrayList<>();
        candidate.path("applicationIds").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    /** The application as it goes into the document: Ashby's record with its stage history. */
    public JsonNode withHistory(JsonNode application, JsonNode history) {
        ObjectNode copy = application.deepCopy();
        copy.set("applicationHistory", history != null ? history : mapper.createArrayNode());
        return copy;
    }

    /** The candidate's document, with {@code documentHash}: the hash of the rest of it. */
    private ObjectNode document(String tenantId, Snapshot snapshot) {
        String candidateId = snapshot.candidate().entityId();
        ObjectNode document = mapper.createObjectNode();
        document.set("candidate", snapshot.candidate().data());
        document.put("findemProfileId", snapshot.findemProfileId());
        ArrayNode applications = document.putArray("applications");
        snapshot.applications().stream().sorted(Comparator.comparing(a -> a.path("id").asText())).forEach(applications::add);
        ArrayNode notes = document.putArray("notes");
        snapshot.notes().stream()
                .sorted(Comparator.comparing((JsonNode n) -> n.path("createdAt").asText()).thenComparing(n -> n.path("id").asText()))
                .forEach(notes::add);
        ArrayNode files = document.putArray("files");
        snapshot.files().stream().sorted(Comparator.comparing(f -> f.path("fileId").asText())).map(CandidateDocuments::fileEntry)
                .forEach(files::add);
        document.put("documentHash", mirror.hash(document));
        return document;
    }

    /**
     * A file as the document lists it: its row without the row's own bookkeeping (fields starting with {@code _}), with
     * its {@code status} ({@code stored}, {@code skipped} or {@code unavailable}; rows written before there were
     * statuses are all stored).
     */
    private static JsonNode fileEntry(JsonNode row) {
        ObjectNode entry = row.deepCopy();
        entry.remove(entry.properties().stream().map(Map.Entry::getKey).filter(name -> name.startsWith("_")).toList());
        if (!entry.has("status")) entry.put("status", "stored");
        return entry;
    }

    /** Sends the candidate's document unless the same content was sent already. Returns whether it was sent. */
    public boolean publishIfChanged(String tenantId, String candidateId) {
        return snapshot(tenantId, candidateId).map(s -> publishIfChanged(tenantId, s, List.of())).orElse(false);
    }

    /**
     * {@link #publishIfChanged(String, String)} from a snapshot the caller already holds (no re-read), which includes
     * {@code childWrites} not yet in the mirror. They are written with the document's index (one transaction when
     * they fit), or at once when nothing changed. A document indexed but not sent (its sender died; the manifest is
     * still marked) is sent now.
     */
    public boolean publishIfChanged(String tenantId, Snapshot snapshot, List<MirrorStore.ChildWrite> childWrites) {
        ObjectNode document = document(tenantId, snapshot);
        String documentHash = document.get("documentHash").asText();
        String candidateId = snapshot.candidate().entityId();
        Map<String, AttributeValue> manifest = snapshot.searchManifest();
        if (documentHash.equals(SearchIndex.indexedDocumentHash(manifest))) {
            mirror.writeChildren(tenantId, childWrites);
            if (manifest.containsKey(Outbox.UNSENT_AT)) outbox.documentIndexed(tenantId, candidateId, document, Long.parseLong(manifest.get("version").n()));
            return false;
        }
        searchIndex.index(tenantId, candidateId, document, documentHash, manifest, mirror.childWriteActions(tenantId, childWrites))
                .ifPresent(revision -> outbox.documentIndexed(tenantId, candidateId, document, revision));
        return true;
    }

    /**
     * For the {@link Outbox}'s sweep: the candidate's manifest says a document of {@code indexedHash} was indexed
     * under {@code revision} and not sent. The document as the mirror holds it now is sent: under that revision when
     * it is the same, else indexed again (a newer revision) and sent.
     */
    void resend(String tenantId, String candidateId, String indexedHash, long revision) {
        Optional<Snapshot> snapshot = snapshot(tenantId, candidateId);
        if (snapshot.isEmpty()) return;
        ObjectNode document = document(tenantId, snapshot.get());
        if (document.get("documentHash").asText().equals(indexedHash)) {
            outbox.documentIndexed(tenantId, candidateId, document, revision);
        } else {
            publishIfChanged(tenantId, snapshot.get(), List.of());
        }
    }

    /**
     * Sends the candidate's document even if it was sent before (an operator's replay), under its current revision,
     * with an event id of its own ({@code replayId}) so Findem does not drop it as a re-send. Returns whether the
     * candidate is mirrored.
     */
    public boolean publishReplay(String tenantId, String candidateId, String replayId) {
        Optional<Snapshot> snapshot = snapshot(tenantId, candidateId);
        if (snapshot.isEmpty()) return false;
        ObjectNode document = document(tenantId, snapshot.get());
        AttributeValue revision = snapshot.get().searchManifest().get("version");
        events.publish(outbox.documentEvent(tenantId, candidateId, document, revision == null ? 0 : Long.parseLong(revision.n()),
                ":replay-" + replayId));
        return true;
    }

    /** A document's {@code entityVersion}: the latest {@code updatedAt} of the candidate and its applications. */
    static Optional<Instant> latestUpdate(JsonNode document) {
        List<String> stamps = new ArrayList<>();
        stamps.add(document.path("candidate").path("updatedAt").asText(null));
        document.path("applications").forEach(a -> stamps.add(a.path("updatedAt").asText(null)));
        return stamps.stream().filter(s -> s != null && !s.isEmpty()).map(Instant::parse).max(Comparator.naturalOrder());
    }
}
