package io.ashbysync.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.platform.AwsResources;
import io.ashbysync.platform.DynamoBatch;
import io.ashbysync.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The identity (de-duplication) index: which Ashby candidate is which person. Rows in the identity table, all under
 * the tenant's partition ({@code pk=TENANT#<id>}):
 * <ul>
 *   <li>{@code PROFILE#<findemProfileId>} → {@code candidateId}</li>
 *   <li>{@code EMAIL#<normalised email>} → {@code candidateId}</li>
 *   <li>{@code LINKEDIN#<normalised url>} → {@code candidateId}</li>
 *   <li>{@code CANDIDATE#<candidateId>} → the profile id, emails and LinkedIn keys that point at it, so a delete or a
 *       merge can find and fix every pointer.</li>
 * </ul>
 * Writes are idempotent: replaying one leaves the same rows.
 */
@ApplicationScoped
public class IdentityIndex {
    static final String PROFILE = "PROFILE#";
    static final String EMAIL = "EMAIL#";
    static final String LINKEDIN = "LINKEDIN#";
    static final String CANDIDATE = "CANDIDATE#";

    private final DynamoDbClient dynamo;
    private final AwsResources resources;

    public IdentityIndex(DynamoDbClient dynamo, AwsResources resources) {
        this.dynamo = dynamo;
        this.resources = resources;
    }

    /** What the index knows about one Ashby candidate. */
    public record Identity(String candidateId, String findemProfileId, Set<String> emails, Set<String> linkedIns) {}

    public Optional<String> candidateForProfile(String tenantId, String findemProfileId) {
        return pointer(tenantId, PROFILE + findemProfileId);
    }

    public Optional<String> candidateForEmail(String tenantId, String email) {
        return IdentityKeys.email(email).flatMap(e -> pointer(tenantId, EMAIL + e));
    }

    public Optional<String> candidateForLinkedIn(String tenantId, String linkedInUrl) {
        return IdentityKeys.linkedIn(linkedInUrl).flatMap(l -> pointer(tenantId, LINKEDIN + l));
    }

    public Optional<Identity> identity(String tenantId, String candidateId) {
        return identity(candidateId, get(tenantId, CANDIDATE + candidateId));
    }

    /** The key {@link #identity} reads, for a caller that reads it in a batch of its own (identity table). */
    public static Map<String, AttributeValue> identityKey(String tenantId, String candidateId) {
        return key(tenantId, CANDIDATE + candidateId);
    }

    /** {@link #identity} from the row found under {@link #identityKey} (null: none). */
    public static Optional<Identity> identity(String candidateId, Map<String, AttributeValue> item) {
        if (item == null) return Optional.empty();
        return Optional.of(new Identity(candidateId,
                item.containsKey("findemProfileId") ? item.get("findemProfileId").s() : null,
                item.containsKey("emails") ? new LinkedHashSet<>(item.get("emails").ss()) : Set.of(),
                item.containsKey("linkedIns") ? new LinkedHashSet<>(item.get("linkedIns").ss()) : Set.of()));
    }

    /**
     * Points the profile id (when given), every email and LinkedIn URL at the candidate, and records them on the
     * candidate's row. Keys already known for the candidate are kept (an export links what it wrote before Ashby
     * lists it).
     */
    public void link(String tenantId, String candidateId, String findemProfileId, List<String> emails, List<String> linkedInUrls) {
        Identity known = identity(tenantId, candidateId).orElse(new Identity(candidateId, null, Set.of(), Set.of()));
        Set<String> allEmails = new LinkedHashSet<>(known.emails());
        emails.stream().map(IdentityKeys::email).flatMap(Optional::stream).forEach(allEmails::add);
        Set<String> allLinkedIns = new LinkedHashSet<>(known.linkedIns());
        linkedInUrls.stream().map(IdentityKeys::linkedIn).flatMap(Optional::stream).forEach(allLinkedIns::add);
        String profileId = findemProfileId != null ? findemProfileId : known.findemProfileId();
        write(rows(tenantId, new Identity(candidateId, profileId, allEmails, allLinkedIns)), List.of());
    }

    /**
     * The candidate's emails and LinkedIn URLs exactly as Ashby lists them now: pointers to keys Ashby no longer shows
     * for it are dropped (an email changed in Ashby must stop finding this candidate). The profile id is kept.
     */
    public void linkAshbyCandidate(String tenantId, JsonNode candidate) {
        linkAshbyCandidates(tenantId, List.of(candidate));
    }

    /**
     * {@link #linkAshbyCandidate} for a page of candidates in a few batched requests (one read per 100 candidates,
     * one write per 25 rows) instead of two or more per candidate. Where two candidates of the page claim one key,
     * the later one in the page gets it, as if they had been linked one after the other.
     */
    public void linkAshbyCandidates(String tenantId, List<JsonNode> candidates) {
        Map<String, Identity> now = new LinkedHashMap<>();
        for (JsonNode candidate : candidates) {
            String candidateId = candidate.path("id").asText();
            Set<String> emails = new LinkedHashSet<>();
            if (candidate.hasNonNull("primaryEmailAddress")) {
                IdentityKeys.email(candidate.get("primaryEmailAddress").path("value").asText()).ifPresent(emails::add);
            }
            candidate.path("emailAddresses").forEach(e -> IdentityKeys.email(e.path("value").asText()).ifPresent(emails::add));
            Set<String> linkedIns = new LinkedHashSet<>();
            candidate.path("socialLinks").forEach(l -> {
                if ("LinkedIn".equals(l.path("type").asText())) IdentityKeys.linkedIn(l.path("url").asText()).ifPresent(linkedIns::add);
            });
            now.put(candidateId, new Identity(candidateId, null, emails, linkedIns));
        }
        Map<String, Map<String, AttributeValue>> knownRows = getAll(tenantId, now.keySet().stream().map(id -> CANDIDATE + id).toList());
        Map<String, Map<String, AttributeValue>> puts = new LinkedHashMap<>();
        Map<String, String> droppedBy = new LinkedHashMap<>();
        for (Identity fromAshby : now.values()) {
            Identity known = identity(fromAshby.candidateId(), knownRows.get(CANDIDATE + fromAshby.candidateId()))
                    .orElse(new Identity(fromAshby.candidateId(), null, Set.of(), Set.of()));
            Identity linked = new Identity(fromAshby.candidateId(), known.findemProfileId(), fromAshby.emails(), fromAshby.linkedIns());
            if (linked.equals(known)) continue;
            keysOf(known).stream().filter(k -> !keysOf(linked).contains(k)).forEach(k -> droppedBy.put(k, linked.candidateId()));
            for (Map<String, AttributeValue> row : rows(tenantId, linked)) {
                puts.remove(row.get("sk").s()); // re-inserted: the page's later claim is the one kept
                puts.put(row.get("sk").s(), row);
            }
        }
        droppedBy.keySet().removeAll(puts.keySet());
        Map<String, Map<String, AttributeValue>> pointers = getAll(tenantId, List.copyOf(droppedBy.keySet()));
        List<Map<String, AttributeValue>> stale = droppedBy.entrySet().stream()
                .filter(d -> pointers.containsKey(d.getKey()) && d.getValue().equals(pointers.get(d.getKey()).get("candidateId").s()))
                .map(d -> key(tenantId, d.getKey())).toList();
        write(List.copyOf(puts.values()), stale);
    }

    /** The candidate's row and a pointer row for each of its keys. */
    private static List<Map<String, AttributeValue>> rows(String tenantId, Identity identity) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> candidate = row(tenantId, CANDIDATE + identity.candidateId());
        if (identity.findemProfileId() != null) candidate.put("findemProfileId", AttributeValue.fromS(identity.findemProfileId()));
        if (!identity.emails().isEmpty()) candidate.put("emails", AttributeValue.fromSs(List.copyOf(identity.emails())));
        if (!identity.linkedIns().isEmpty()) candidate.put("linkedIns", AttributeValue.fromSs(List.copyOf(identity.linkedIns())));
        items.add(candidate);
        keysOf(identity).forEach(k -> items.add(pointerRow(tenantId, k, identity.candidateId())));
        return items;
    }

    /** A candidate deleted (or anonymised) in Ashby: every pointer to it goes. */
    public void remove(String tenantId, String candidateId) {
        Optional<Identity> known = identity(tenantId, candidateId);
        if (known.isEmpty()) return;
        List<String> keys = new ArrayList<>(keysOf(known.get()));
        keys.add(CANDIDATE + candidateId);
        List<String> stillOurs = keys.stream().filter(k -> k.startsWith(CANDIDATE)
                || pointer(tenantId, k).map(candidateId::equals).orElse(false)).toList();
        write(List.of(), stillOurs.stream().map(k -> key(tenantId, k)).toList());
    }

    /** Ashby merged {@code deletedId} into {@code survivorId}: its profile id, emails and links now mean the survivor. */
    public void merge(String tenantId, String deletedId, String survivorId) {
        Optional<Identity> deleted = identity(tenantId, deletedId);
        if (deleted.isEmpty()) return;
        Identity d = deleted.get();
        String survivorProfile = identity(tenantId, survivorId).map(Identity::findemProfileId).orElse(null);
        link(tenantId, survivorId, survivorProfile != null ? survivorProfile : d.findemProfileId(),
                List.copyOf(d.emails()), d.linkedIns().stream().map(l -> "https://" + l).toList());
        if (survivorProfile != null && d.findemProfileId() != null && !survivorProfile.equals(d.findemProfileId())) {
            write(List.of(pointerRow(tenantId, PROFILE + d.findemProfileId(), survivorId)), List.of());
        }
        write(List.of(), List.of(key(tenantId, CANDIDATE + deletedId)));
    }

    private static List<String> keysOf(Identity identity) {
        List<String> keys = new ArrayList<>();
        if (identity.findemProfileId() != null) keys.add(PROFILE + identity.findemProfileId());
        identity.emails().forEach(e -> keys.add(EMAIL + e));
        identity.linkedIns().forEach(l -> keys.add(LINKEDIN + l));
        return keys;
    }

    private Optional<String> pointer(String tenantId, String sortKey) {
        Map<String, AttributeValue> item = get(tenantId, sortKey);
        return item == null ? Optional.empty() : Optional.ofNullable(item.get("candidateId")).map(AttributeValue::s);
    }

    private Map<String, AttributeValue> get(String tenantId, String sortKey) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(resources.identityTable())
                .key(key(tenantId, sortKey)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    /** The rows under these sort keys that exist, by sort key (consistent reads). */
    private Map<String, Map<String, AttributeValue>> getAll(String tenantId, List<String> sortKeys) {
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        DynamoBatch.getAll(dynamo, resources.identityTable(), sortKeys.stream().map(k -> key(tenantId, k)).toList(), true)
                .forEach(item -> found.put(item.get("sk").s(), item));
        return found;
    }

    private void write(List<Map<String, AttributeValue>> puts, List<Map<String, AttributeValue>> deletes) {
        List<WriteRequest> requests = new ArrayList<>();
        puts.forEach(item -> requests.add(WriteRequest.builder().putRequest(p -> p.item(item)).build()));
        deletes.forEach(key -> requests.add(WriteRequest.builder().deleteRequest(d -> d.key(key)).build()));
        DynamoBatch.writeAll(dynamo, resources.identityTable(), requests);
    }

    private static Map<String, AttributeValue> key(String tenantId, String sortKey) {
        return Map.of("pk", AttributeValue.fromS(TenantStore.partitionKey(tenantId)), "sk", AttributeValue.fromS(sortKey));
    }

    private static Map<String, AttributeValue> row(String tenantId, String sortKey) {
        return new HashMap<>(key(tenantId, sortKey));
    }

    private static Map<String, AttributeValue> pointerRow(String tenantId, String sortKey, String candidateId) {
        Map<String, AttributeValue> row = row(tenantId, sortKey);
        row.put("candidateId", AttributeValue.fromS(candidateId));
        return row;
    }
}
