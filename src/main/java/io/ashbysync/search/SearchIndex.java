package io.ashbysync.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.mirror.Outbox;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The search index over the mirror, kept in the mirror table and derived from each candidate's outbound document.
 * <ul>
 *   <li>Postings: {@code pk=TENANT#<t>#SEARCH#<FACET>#<value>} (see {@link Facet}),
 *       {@code sk=P#<updatedAt epoch ms, 13 digits>#<candidateId>}, {@code hit} = the candidate's
 *       {@link IndexedCandidate} projection. One per candidate and list, newest first by sort key.</li>
 *   <li>Counts: {@code sk=COUNT} in each list's partition: {@code candidates}, and on JOB lists
 *       {@code stage:<stageId>} = applications to the job now in that stage.</li>
 *   <li>Manifest: {@code pk=TENANT#<t>#CANDIDATE#<id>, sk=SEARCH}: the postings that may exist for the candidate,
 *       what it has added to the counts and the hash of the document they come from (the last one sent), with an
 *       optimistic {@code version}.</li>
 * </ul>
 * A re-index is a diff against the manifest, written with the manifest in one transaction (a candidate in more lists
 * than one transaction holds takes several steps, each safe to crash after), so a retried run never counts twice and
 * no posting is left untracked.
 */
@ApplicationScoped
public class SearchIndex {
    private static final Logger LOG = Logger.getLogger(SearchIndex.class);
    static final String MANIFEST = MirrorStore.SEARCH_MANIFEST;
    static final String COUNT = "COUNT";
    static final String POSTING_PREFIX = "P#";
    static final String CANDIDATES = "candidates";
    static final String STAGE_PREFIX = "stage:";
    /** DynamoDB allows 100 actions per transaction; one is the manifest. */
    private static final int MAX_TRANSACTION_ACTIONS = 100;
    private static final int COUNTS_PER_TRANSACTION = MAX_TRANSACTION_ACTIONS - 1;
    private static final int ATTEMPTS = 5;
    /** On a removed candidate's manifest: the removal, and the candidate it was merged into. */
    public static final String REMOVED = "removed";
    public static final String MERGED_INTO = "mergedInto";

    private final DynamoDbClient dynamo;
    private final AwsResources resources;
    private final ObjectMapper mapper;

    public SearchIndex(DynamoDbClient dynamo, AwsResources resources, ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.resources = resources;
        this.mapper = mapper;
    }

    static String postingSortKey(long updatedAt, String candidateId) {
        return POSTING_PREFIX + String.format("%013d", updatedAt) + "#" + candidateId;
    }

    /**
     * Brings the candidate's postings and counts in line with its document, and records the document's hash on the
     * manifest (the document the index now reflects: the last one sent).
     *
     * @param manifestAsRead the candidate's manifest row as the caller read it with the candidate's other rows (empty:
     *                       none; null: not read); if it has changed since, the write is refused and retried over a
     *                       fresh read
     * @param alongside      unconditional writes that belong with this document (the mirror rows it was made from):
     *                       in the index's transaction when they fit, else just before it
     */
    public OptionalLong index(String tenantId, String candidateId, JsonNode document, String documentHash,
                              Map<String, AttributeValue> manifestAsRead, List<TransactWriteItem> alongside) {
        return apply(tenantId, candidateId, IndexedCandidate.of(candidateId, document, mapper), documentHash, manifestAsRead, alongside, null);
    }

    /** Why a candidate left the index: merged into {@code survivorId} (null: deleted); the manifest expires with its tombstone. */
    public record Removal(String survivorId, Instant expiresAt) {}

    /**
     * Takes a deleted or merged-away candidate out of every list and count, and leaves its manifest as the removal's
     * record (with its revision and {@link Outbox} marker: the removal event is sent from it). Safe to repeat.
     *
     * @return the removal's revision
     */
    public long remove(String tenantId, String candidateId, Removal removal) {
        return apply(tenantId, candidateId, null, null, null, List.of(), removal).orElseThrow();
    }

    /** The hash of the last document indexed (and so sent) for the candidate, from its manifest row; null if none. */
    public static String indexedDocumentHash(Map<String, AttributeValue> manifestRow) {
        AttributeValue hash = manifestRow == null ? null : manifestRow.get("documentHash");
        return hash == null ? null : hash.s();
    }

    /**
     * @return the manifest's revision after the write: the document's (or removal's) event revision; empty when a
     *         newer document was indexed meanwhile and this one was not
     */
    private OptionalLong apply(String tenantId, String candidateId, IndexedCandidate candidate, String documentHash,
                               Map<String, AttributeValue> manifestAsRead, List<TransactWriteItem> alongside, Removal removal) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Manifest old = attempt == 1 && manifestAsRead != null ? manifest(candidateId, manifestAsRead) : readManifest(tenantId, candidateId);
            if (candidate != null && old != null && old.updatedAt() > candidate.updatedAt()) {
                // a newer document of this candidate was indexed meanwhile; this one is stale
                LOG.debugf("candidate %s: index already holds a newer document", candidateId);
                transactInChunks(alongside);
                return OptionalLong.empty();
            }
            if (candidate == null && old != null && old.removed()) return OptionalLong.of(old.version());
            try {
                return OptionalLong.of(applyOver(tenantId, candidateId, candidate, documentHash, old, alongside, removal));
            } catch (ConditionalCheckFailedException | TransactionCanceledException concurrent) {
                LOG.debugf("candidate %s: index changed concurrently (attempt %d)", candidateId, attempt);
            }
        }
        throw new IllegalStateException("search index of candidate " + candidateId + " kept changing under " + ATTEMPTS + " attempts");
    }

    private long applyOver(String tenantId, String candidateId, IndexedCandidate candidate, String documentHash, Manifest old,
                           List<TransactWriteItem> alongside, Removal removal) {
        Manifest base = old == null ? Manifest.EMPTY : old;
        Map<String, String> postings = candidate == null ? Map.of() : postings(tenantId, candidate);
        Map<String, Contribution> counted = candidate == null ? Map.of() : contributions(tenantId, candidate);
        long updatedAt = candidate == null ? base.updatedAt() : candidate.updatedAt();
        Set<String> newKeys = postingKeys(postings);
        Set<String> gone = new LinkedHashSet<>(base.postings());
        gone.removeAll(newKeys);
        List<String> changedLists = new ArrayList<>();
        Set<String> lists = new LinkedHashSet<>(base.counted().keySet());
        lists.addAll(counted.keySet());
        for (String list : lists) {
            if (!Objects.equals(base.counted().get(list), counted.get(list))) changedLists.add(list);
        }
        String hit = candidate == null ? null : json(candidate.hit());

        int indexActions = postings.size() + gone.size() + changedLists.size();
        boolean alongsideFits = indexActions + alongside.size() < MAX_TRANSACTION_ACTIONS;
        if (!alongsideFits) transactInChunks(alongside);
        if (indexActions < MAX_TRANSACTION_ACTIONS) {
            // the usual candidate: postings, counts and manifest in one transaction (with what goes alongside)
            List<TransactWriteItem> actions = new ArrayList<>(alongsideFits ? alongside : List.of());
            postings.forEach((pk, sk) -> actions.add(TransactWriteItem.builder().put(p -> p.tableName(table()).item(posting(pk, sk, hit))).build()));
            gone.forEach(key -> actions.add(TransactWriteItem.builder().delete(d -> d.tableName(table()).key(postingKey(key))).build()));
            changedLists.forEach(list -> actions.add(countUpdate(list, base.counted().get(list), counted.get(list))));
            Manifest next = new Manifest(Outbox.nextRevision(base.version(), Instant.now()), updatedAt, newKeys, counted, documentHash,
                    candidate == null);
            actions.add(manifestPut(tenantId, candidateId, base, next, removal));
            dynamo.transactWriteItems(r -> r.transactItems(actions));
            return next.version();
        }

        // Too many changes for one transaction: the manifest first grows to cover every posting about to be written,
        // so a crash never leaves a posting nobody tracks; counts then move in transactions that record them in it.
        Manifest current = base;
        Set<String> tracked = new LinkedHashSet<>(current.postings());
        if (!tracked.containsAll(newKeys)) {
            tracked.addAll(newKeys);
            current = writeManifest(tenantId, candidateId, current,
                    new Manifest(current.version(), current.updatedAt(), tracked, current.counted(), current.documentHash(), current.removed()));
        }
        List<WriteRequest> postingWrites = new ArrayList<>();
        postings.forEach((pk, sk) -> postingWrites.add(WriteRequest.builder().putRequest(p -> p.item(posting(pk, sk, hit))).build()));
        gone.forEach(key -> postingWrites.add(WriteRequest.builder().deleteRequest(d -> d.key(postingKey(key))).build()));
        DynamoBatch.writeAll(dynamo, table(), postingWrites);
        Map<String, Contribution> nowCounted = new LinkedHashMap<>(current.counted());
        int from = 0;
        do {
            List<String> chunk = changedLists.subList(from, Math.min(from + COUNTS_PER_TRANSACTION, changedLists.size()));
            List<TransactWriteItem> actions = new ArrayList<>();
            for (String list : chunk) {
                actions.add(countUpdate(list, current.counted().get(list), counted.get(list)));
                if (counted.containsKey(list)) nowCounted.put(list, counted.get(list)); else nowCounted.remove(list);
            }
            from += chunk.size();
            boolean last = from >= changedLists.size();
            Manifest next = new Manifest(Outbox.nextRevision(current.version(), Instant.now()), last ? updatedAt : current.updatedAt(),
                    last ? newKeys : current.postings(), Map.copyOf(nowCounted), last ? documentHash : current.documentHash(),
                    last ? candidate == null : current.removed());
            actions.add(manifestPut(tenantId, candidateId, current, next, last ? removal : null));
            dynamo.transactWriteItems(r -> r.transactItems(actions));
            current = next;
        } while (from < changedLists.size());
        return current.version();
    }

    /** Unconditional writes in transactions of DynamoDB's size. */
    private void transactInChunks(List<TransactWriteItem> writes) {
        for (int from = 0; from < writes.size(); from += MAX_TRANSACTION_ACTIONS) {
            List<TransactWriteItem> chunk = writes.subList(from, Math.min(from + MAX_TRANSACTION_ACTIONS, writes.size()));
            dynamo.transactWriteItems(r -> r.transactItems(chunk));
        }
    }

    // ---- what the candidate should have ------------------------------------------------------------------------

    /** List key → posting sort key, for every list the candidate belongs to. */
    static Map<String, String> postings(String tenantId, IndexedCandidate candidate) {
        String sortKey = postingSortKey(candidate.updatedAt(), candidate.candidateId());
        Map<String, String> postings = new LinkedHashMap<>();
        candidate.listValues().forEach((facet, values) -> values.forEach(value ->
                postings.put(Facet.valueOf(facet).listKey(tenantId, value), sortKey)));
        return postings;
    }

    /** List key → what the candidate adds to the list's COUNT item. */
    static Map<String, Contribution> contributions(String tenantId, IndexedCandidate candidate) {
        Map<String, Contribution> counted = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> stages = candidate.stageCountsByJob();
        // ALL needs no count (it is read only when there is no filter to choose between) and would be every
        // transaction's hot item
        postings(tenantId, candidate).keySet().stream().filter(list -> !list.equals(Facet.ALL.listKey(tenantId, null)))
                .forEach(list -> counted.put(list, new Contribution(1, Map.of())));
        stages.forEach((job, byStage) -> counted.put(Facet.JOB.listKey(tenantId, job), new Contribution(1, Map.copyOf(byStage))));
        return counted;
    }

    private static Set<String> postingKeys(Map<String, String> postings) {
        Set<String> keys = new LinkedHashSet<>();
        postings.forEach((pk, sk) -> keys.add(pk + "\n" + sk));
        return keys;
    }

    // ---- writes ----------------------------------------------------------------------------------------------------

    private static Map<String, AttributeValue> posting(String pk, String sk, String hit) {
        return Map.of("pk", s(pk), "sk", s(sk), "hit", s(hit));
    }

    /** The key of a posting from its "pk\nsk" form in the manifest. */
    private static Map<String, AttributeValue> postingKey(String key) {
        String[] parts = key.split("\n", 2);
        return Map.of("pk", s(parts[0]), "sk", s(parts[1]));
    }

    private TransactWriteItem countUpdate(String list, Contribution before, Contribution after) {
        Map<String, Integer> deltas = new LinkedHashMap<>();
        deltas.put(CANDIDATES, (after == null ? 0 : after.candidates()) - (before == null ? 0 : before.candidates()));
        Set<String> stages = new LinkedHashSet<>();
        if (before != null) stages.addAll(before.stages().keySet());
        if (after != null) stages.addAll(after.stages().keySet());
        for (String stage : stages) {
            int delta = (after == null ? 0 : after.stages().getOrDefault(stage, 0)) - (before == null ? 0 : before.stages().getOrDefault(stage, 0));
            if (delta != 0) deltas.put(STAGE_PREFIX + stage, delta);
        }
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> adds = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Integer> delta : deltas.entrySet()) {
            names.put("#a" + i, delta.getKey());
            values.put(":d" + i, AttributeValue.fromN(Integer.toString(delta.getValue())));
            adds.add("#a" + i + " :d" + i);
            i++;
        }
        return TransactWriteItem.builder().update(u -> u.tableName(table())
                .key(Map.of("pk", s(list), "sk", s(COUNT)))
                .updateExpression("ADD " + String.join(", ", adds))
                .expressionAttributeNames(names).expressionAttributeValues(values)).build();
    }

    // ---- the manifest ----------------------------------------------------------------------------------------------

    /**
     * @param updatedAt the {@link IndexedCandidate#updatedAt()} of the document last indexed
     * @param postings  "pk\nsk" of every posting that may exist
     * @param counted   per list key, what this candidate has added to the list's counts
     * @param documentHash the hash of the document last indexed (null before the first, and once removed)
     * @param version      optimistic lock, and the candidate's event revision ({@link Outbox#nextRevision})
     * @param removed      the candidate was deleted or merged away; the manifest is the removal's record
     */
    record Manifest(long version, long updatedAt, Set<String> postings, Map<String, Contribution> counted, String documentHash,
                    boolean removed) {
        static final Manifest EMPTY = new Manifest(0, 0, Set.of(), Map.of(), null, false);
    }

    /** One candidate's share of a list's counts. */
    record Contribution(int candidates, Map<String, Integer> stages) {}

    private Manifest readManifest(String tenantId, String candidateId) {
        return manifest(candidateId, dynamo.getItem(r -> r.tableName(table()).key(manifestKey(tenantId, candidateId))
                .consistentRead(true)).item());
    }

    /** The manifest a stored row holds; null for no row. */
    private Manifest manifest(String candidateId, Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) return null;
        try {
            Set<String> postings = new LinkedHashSet<>();
            mapper.readTree(item.get("postings").s()).forEach(p -> postings.add(p.asText()));
            Map<String, Contribution> counted = new LinkedHashMap<>();
            JsonNode countedJson = mapper.readTree(item.get("counted").s());
            countedJson.properties().forEach(e -> {
                Map<String, Integer> stages = new LinkedHashMap<>();
                e.getValue().path("stages").properties().forEach(s -> stages.put(s.getKey(), s.getValue().asInt()));
                counted.put(e.getKey(), new Contribution(e.getValue().path("candidates").asInt(), Map.copyOf(stages)));
            });
            return new Manifest(Long.parseLong(item.get("version").n()), Long.parseLong(item.get("updatedAt").n()), postings, counted,
                    indexedDocumentHash(item), item.containsKey(REMOVED));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("search manifest of candidate " + candidateId + " holds invalid JSON", e);
        }
    }

    /** Writes the manifest if nobody else did since {@code current} was read; returns what was written. */
    private Manifest writeManifest(String tenantId, String candidateId, Manifest current, Manifest next) {
        Manifest written = new Manifest(Outbox.nextRevision(current.version(), Instant.now()), next.updatedAt(), next.postings(),
                next.counted(), next.documentHash(), next.removed());
        var put = manifestPut(tenantId, candidateId, current, written, null).put();
        dynamo.putItem(r -> r.tableName(put.tableName()).item(put.item()).conditionExpression(put.conditionExpression())
                .expressionAttributeNames(put.expressionAttributeNames()).expressionAttributeValues(put.expressionAttributeValues()));
        return written;
    }

    /**
     * The manifest's write, pinned to {@code current}. The write that records a new document, or the removal
     * ({@code removal} non-null), carries the {@link Outbox} marker: it is the change Findem is told of.
     */
    private TransactWriteItem manifestPut(String tenantId, String candidateId, Manifest current, Manifest next, Removal removal) {
        Map<String, AttributeValue> item = new HashMap<>(manifestKey(tenantId, candidateId));
        item.put("version", AttributeValue.fromN(Long.toString(next.version())));
        item.put("updatedAt", AttributeValue.fromN(Long.toString(next.updatedAt())));
        item.put("postings", s(json(mapper.valueToTree(next.postings()))));
        ObjectNode counted = mapper.createObjectNode();
        next.counted().forEach((list, c) -> {
            ObjectNode entry = counted.putObject(list).put("candidates", c.candidates());
            ObjectNode stages = entry.putObject("stages");
            c.stages().forEach(stages::put);
        });
        item.put("counted", s(json(counted)));
        if (next.documentHash() != null) item.put("documentHash", s(next.documentHash()));
        boolean told = removal != null || (next.documentHash() != null && !next.documentHash().equals(current.documentHash()));
        if (told) item.putAll(Outbox.marker(tenantId, candidateId, Instant.now(), true));
        if (removal != null) {
            item.put(REMOVED, AttributeValue.fromBool(true));
            item.put("expiresAt", AttributeValue.fromN(Long.toString(removal.expiresAt().getEpochSecond())));
            if (removal.survivorId() != null) item.put(MERGED_INTO, s(removal.survivorId()));
        }
        return TransactWriteItem.builder().put(p -> p.tableName(table()).item(item).conditionExpression(versionCondition(current))
                .expressionAttributeNames(Map.of("#v", "version"))
                .expressionAttributeValues(current.version() == 0 ? null : Map.of(":v", AttributeValue.fromN(Long.toString(current.version())))))
                .build();
    }

    private static String versionCondition(Manifest current) {
        return current.version() == 0 ? "attribute_not_exists(#v)" : "#v = :v";
    }

    private static Map<String, AttributeValue> manifestKey(String tenantId, String candidateId) {
        return Map.of("pk", s(MirrorStore.partitionKey(tenantId, "CANDIDATE", candidateId)), "sk", s(MANIFEST));
    }

    private String json(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("search index entry cannot be serialised", e);
        }
    }

    private String table() {
        return resources.mirrorTable();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
