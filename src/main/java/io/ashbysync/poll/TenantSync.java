package io.ashbysync.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbyPage;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.ListPosition;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.mirror.CandidateDetailsWork;
import io.ashbysync.mirror.CandidateDocuments;
import io.ashbysync.mirror.CandidateRemovals;
import io.ashbysync.mirror.MirrorRow;
import io.ashbysync.mirror.MirroredRecords;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.mirror.Outbox;
import io.ashbysync.mirror.RecordFields;
import io.ashbysync.poll.SyncState.StreamCursor;
import io.ashbysync.tenant.Quarantine;
import io.ashbysync.tenant.TenantConfig;
import io.ashbysync.webhook.WebhookSilence;
import io.ashbysync.work.WorkItem;
import io.ashbysync.work.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One tenant's sync: the reference lists, then applications, then candidates (so a candidate's document finds its
 * applications mirrored). Token streams are incremental, checkpointed after every page once the page is durable,
 * and listed in full every {@code reconcile-interval} to reconcile deletions and merges. Per-candidate details
 * (history, notes, files, the outbound document) go to the work queue.
 */
@ApplicationScoped
public class TenantSync {
    private static final Logger LOG = Logger.getLogger(TenantSync.class);
    static final String REFERENCE_STREAM = "reference";
    private static final String INTERVIEW_STAGE = "INTERVIEW_STAGE";
    private static final String INTERVIEW_STAGE_EVENT = "interviewStage";

    /** A listing with sync tokens, mirrored as {@code entityType}. */
    record TokenStream(String name, AshbyEndpoint endpoint, Map<String, Object> request, String entityType,
                       String eventEntity, boolean versionedByUpdatedAt, boolean reconciled) {}

    /** A list without sync tokens, re-read whole on the reference cadence; versioned by content hash. */
    record SnapshotList(AshbyEndpoint endpoint, Map<String, Object> request, String entityType, String eventEntity) {}

    static final List<TokenStream> TOKEN_STREAMS = List.of(
            new TokenStream("users", AshbyEndpoint.USER_LIST, Map.of("includeDeactivated", true), "USER", "user", true, false),
            new TokenStream("locations", AshbyEndpoint.LOCATION_LIST, Map.of("includeArchived", true), "LOCATION", "location", false, false),
            new TokenStream("departments", AshbyEndpoint.DEPARTMENT_LIST, Map.of("includeArchived", true), "DEPARTMENT", "department", true, false),
            new TokenStream("candidateTags", AshbyEndpoint.CANDIDATE_TAG_LIST, Map.of("includeArchived", true), "TAG", "candidateTag", false, false),
            new TokenStream("customFields", AshbyEndpoint.CUSTOM_FIELD_LIST, Map.of("includeArchived", true), "CUSTOM_FIELD", "customField", false, false),
            new TokenStream("interviewPlans", AshbyEndpoint.INTERVIEW_PLAN_LIST, Map.of("includeArchived", true), "INTERVIEW_PLAN", "interviewPlan", true, false),
            new TokenStream("jobs", AshbyEndpoint.JOB_LIST, Map.of("status", List.of("Draft", "Open", "Closed", "Archived")), "JOB", "job", true, false),
            new TokenStream("applications", AshbyEndpoint.APPLICATION_LIST, Map.of(), CandidateDocuments.APPLICATION, "application", true, true),
            new TokenStream("candidates", AshbyEndpoint.CANDIDATE_LIST, Map.of(), CandidateDocuments.CANDIDATE, "candidate", true, true));

    static final List<SnapshotList> SNAPSHOT_LISTS = List.of(
            new SnapshotList(AshbyEndpoint.ARCHIVE_REASON_LIST, Map.of("includeArchived", true), "ARCHIVE_REASON", "archiveReason"),
            new SnapshotList(AshbyEndpoint.SOURCE_LIST, Map.of("includeArchived", true), "SOURCE", "source"),
            new SnapshotList(AshbyEndpoint.COMMUNICATION_TEMPLATE_LIST, Map.of(), "COMMUNICATION_TEMPLATE", "communicationTemplate"),
            new SnapshotList(AshbyEndpoint.JOB_POSTING_LIST, Map.of(), "JOB_POSTING", "jobPosting"));

    /**
     * Every mirrored type other than candidates and applications (which travel in candidate documents), by mirror
     * type, with the entity name of its {@code <entity>.upserted} events.
     */
    public static final Map<String, String> RECORD_EVENT_ENTITIES = recordEventEntities();

    private static Map<String, String> recordEventEntities() {
        Map<String, String> entities = new LinkedHashMap<>();
        TOKEN_STREAMS.stream().filter(s -> !List.of(CandidateDocuments.CANDIDATE, CandidateDocuments.APPLICATION).contains(s.entityType()))
                .forEach(s -> entities.put(s.entityType(), s.eventEntity()));
        SNAPSHOT_LISTS.forEach(l -> entities.put(l.entityType(), l.eventEntity()));
        entities.put(INTERVIEW_STAGE, INTERVIEW_STAGE_EVENT);
        return Map.copyOf(entities);
    }

    /** How a tenant's sync ended in this invocation. */
    public enum Outcome { DRAINED, OUT_OF_TIME }

    private final AshbyClient ashby;
    private final MirrorStore mirror;
    private final SyncState state;
    private final IdentityIndex identity;
    private final WorkQueue work;
    private final CandidateRemovals removals;
    private final MirroredRecords records;
    private final Outbox outbox;
    private final WebhookSilence silence;
    private final Quarantine quarantine;
    private final PollerConfig config;
    private final ObjectMapper mapper;
    private final Clock clock = Clock.systemUTC();

    public TenantSync(AshbyClient ashby, MirrorStore mirror, SyncState state, IdentityIndex identity, WorkQueue work,
                      CandidateRemovals removals, MirroredRecords records, Outbox outbox, WebhookSilence silence,
                      Quarantine quarantine, PollerConfig config, ObjectMapper mapper) {
        this.ashby = ashby;
        this.mirror = mirror;
        this.state = state;
        this.identity = identity;
        this.work = work;
        this.removals = removals;
        this.records = records;
        this.outbox = outbox;
        this.silence = silence;
        this.quarantine = quarantine;
        this.config = config;
        this.mapper = mapper;
    }

    public Outcome sync(TenantConfig tenant, Instant deadline) {
        AshbySession session = ashby.forTenant(tenant);
        Instant started = clock.instant();
        Map<String, Long> applied = new LinkedHashMap<>();
        // read once per pass: each stream and list releases the quarantined records it now reads well
        Set<String> quarantined = quarantinedKeys(tenant.tenantId());
        // changes whose writers died before telling Findem (crashed, killed at their deadline)
        outbox.sweep(tenant.tenantId(), started.minus(config.unsentGrace()));
        refreshSnapshots(session, applied, quarantined);
        for (TokenStream stream : TOKEN_STREAMS) {
            Outcome outcome;
            try {
                outcome = runStream(session, stream, deadline, applied, quarantined);
            } catch (AshbyException.MissingPermission missing) {
                LOG.warnf("tenant %s: key lacks %s, stream %s skipped", tenant.tenantId(), missing.permission(), stream.name());
                state.recordFailure(tenant.tenantId(), stream.name(), clock.instant(), missing.getMessage(),
                        "missing permission: " + missing.permission());
                continue;
            }
            if (outcome == Outcome.DRAINED) state.recordSuccess(tenant.tenantId(), stream.name(), clock.instant());
            saveStatus(tenant.tenantId(), started, applied, outcome == Outcome.DRAINED ? "running" : "out_of_time");
            if (outcome == Outcome.OUT_OF_TIME) return outcome;
        }
        saveStatus(tenant.tenantId(), started, applied, "drained");
        return Outcome.DRAINED;
    }

    // ---- token streams --------------------------------------------------------------------------------------------

    private Outcome runStream(AshbySession session, TokenStream stream, Instant deadline, Map<String, Long> applied,
                              Set<String> quarantined) {
        String tenantId = session.tenantId();
        StreamCursor cursor = state.cursor(tenantId, stream.name());
        if (cursor.pendingToken() != null) {
            // a full pass drained but its reconciliation did not finish: finish it before anything else
            reconcile(session, stream, cursor.passId());
            cursor = complete(tenantId, stream, cursor, cursor.pendingToken(), true);
        }
        boolean restarted = false;
        while (true) {
            try {
                return pages(session, stream, cursor, deadline, applied, quarantined);
            } catch (AshbyException.SyncStateExpired expired) {
                if (restarted) throw expired;
                restarted = true;
                LOG.infof("tenant %s stream %s: %s, restarting from a full listing", tenantId, stream.name(), expired.code());
                cursor = new StreamCursor(null, null, null, null, null, null, 0, cursor.lastFullCount());
                state.saveCursor(tenantId, stream.name(), cursor);
            }
        }
    }

    private Outcome pages(AshbySession session, TokenStream stream, StreamCursor cursor, Instant deadline, Map<String, Long> applied,
                          Set<String> quarantined) {
        String tenantId = session.tenantId();
        ListPosition from;
        String passId;
        long records;
        if (cursor.inPass()) {
            from = new ListPosition(cursor.passToken(), cursor.cursor());
            passId = cursor.passId();
            records = cursor.passRecords();
        } else {
            boolean reconcileDue = stream.reconciled() && (cursor.lastFullAt() == null
                    || cursor.lastFullAt().plus(config.reconcileInterval()).isBefore(clock.instant()));
            from = cursor.syncToken() == null || reconcileDue ? ListPosition.FULL : ListPosition.incrementalFrom(cursor.syncToken());
            passId = UUID.randomUUID().toString();
            records = 0;
        }
        boolean full = from.isFull();
        try (Stream<AshbyPage<JsonNode>> listing = session.pages(stream.endpoint(), stream.request(), JsonNode.class, from)) {
            Iterator<AshbyPage<JsonNode>> it = listing.iterator();
            // taken before each page is asked for: what a tombstone written after it says stands (see MirrorStore.Page)
            Instant readAt = clock.instant();
            while (it.hasNext()) {
                AshbyPage<JsonNode> page = it.next();
                apply(session, stream, page.results(), full ? passId : null, full, quarantined, readAt);
                records += page.results().size();
                applied.merge(stream.name(), (long) page.results().size(), Long::sum);
                if (page.last()) {
                    if (page.newSyncToken() == null) {
                        throw new IllegalStateException(stream.endpoint() + " drained without a sync token");
                    }
                    StreamCursor drained = new StreamCursor(cursor.syncToken(), passId, from.syncToken(), null,
                            full && stream.reconciled() ? page.newSyncToken() : null, cursor.lastFullAt(), records, cursor.lastFullCount());
                    if (full && stream.reconciled()) {
                        state.saveCursor(tenantId, stream.name(), drained);
                        reconcile(session, stream, passId);
                    }
                    complete(tenantId, stream, drained, page.newSyncToken(), full);
                    return Outcome.DRAINED;
                }
                StreamCursor checkpoint = new StreamCursor(cursor.syncToken(), passId, from.syncToken(), page.next().cursor(),
                        null, cursor.lastFullAt(), records, cursor.lastFullCount());
                state.saveCursor(tenantId, stream.name(), checkpoint);
                if (clock.instant().isAfter(deadline)) return Outcome.OUT_OF_TIME;
                readAt = clock.instant();
            }
        }
        throw new IllegalStateException(stream.endpoint() + " listing ended without a last page");
    }

    private StreamCursor complete(String tenantId, TokenStream stream, StreamCursor pass, String newToken, boolean full) {
        StreamCursor done = new StreamCursor(newToken, null, null, null, null,
                full ? clock.instant() : pass.lastFullAt(), pass.passRecords(), full ? pass.passRecords() : pass.lastFullCount());
        state.saveCursor(tenantId, stream.name(), done);
        return done;
    }

    /** What writing one listed record did. */
    private record Applied(JsonNode record, String id, Instant updatedAt, MirrorStore.Written written) {
        MirrorStore.Write write() {
            return written.write();
        }
    }

    /**
     * Writes one page to the mirror (in one batch, {@link MirrorStore#upsertPage}, the events of changed records sent
     * just before), then the identity index and work items: all before the checkpoint.
     */
    private void apply(AshbySession session, TokenStream stream, List<JsonNode> results, String seenPass, boolean fullPass,
                       Set<String> quarantined, Instant readAt) {
        String tenantId = session.tenantId();
        List<Applied> page = write(tenantId, stream, results, seenPass, quarantined, readAt);
        if (stream.entityType().equals(CandidateDocuments.CANDIDATE)) {
            List<JsonNode> changedCandidates = page.stream().filter(a -> a.write().changed()).map(Applied::record).toList();
            if (!changedCandidates.isEmpty()) identity.linkAshbyCandidates(tenantId, changedCandidates);
        }
        Map<String, List<String>> applicationsByCandidate = new LinkedHashMap<>();
        List<WorkItem> items = new ArrayList<>();
        Instant newestUnannouncedUpdate = null;
        for (Applied applied : page) {
            String id = applied.id();
            // a change an earlier try wrote and did not carry to Findem (its work item was never queued) goes now
            boolean carry = applied.write().changed() || applied.written().unsent();
            if (!carry) {
                // Notes change without the candidate's updatedAt: a full pass re-reads them for every candidate.
                if (fullPass && stream.entityType().equals(CandidateDocuments.CANDIDATE) && config.recheckNotesOnFullPass()) {
                    items.add(CandidateDetailsWork.item(mapper, tenantId, id, true, List.of(), UUID.randomUUID().toString()));
                }
                continue;
            }
            switch (stream.entityType()) {
                case CandidateDocuments.APPLICATION -> {
                    // a working applicationUpdate webhook would have brought this version first
                    if (applied.write() == MirrorStore.Write.UPDATED && applied.updatedAt() != null
                            && (newestUnannouncedUpdate == null || applied.updatedAt().isAfter(newestUnannouncedUpdate))) {
                        newestUnannouncedUpdate = applied.updatedAt();
                    }
                    // a new application on a full pass comes with its candidate's own work item (candidates run next)
                    if (applied.write() != MirrorStore.Write.CREATED || !fullPass) {
                        applicationsByCandidate.computeIfAbsent(applied.record().path("candidate").path("id").asText(),
                                c -> new ArrayList<>()).add(id);
                    }
                }
                case CandidateDocuments.CANDIDATE ->
                        items.add(CandidateDetailsWork.item(mapper, tenantId, id, true, List.of(), UUID.randomUUID().toString()));
                default -> { } // its event went out through the outbox with the write
            }
        }
        applicationsByCandidate.forEach((candidateId, applicationIds) ->
                items.add(CandidateDetailsWork.item(mapper, tenantId, candidateId, false, applicationIds, UUID.randomUUID().toString())));
        if (!items.isEmpty()) work.send(items);
        if (newestUnannouncedUpdate != null) silence.pollerApplied(tenantId, WebhookSilence.APPLICATION_UPDATE, newestUnannouncedUpdate);
    }

    /**
     * One page into the mirror. A record whose id or version does not parse is quarantined and left out, so it
     * never blocks its stream; a full pass still stamps its row as listed (it exists in Ashby: reconciliation must
     * not take it for deleted). One that parses again later is released from quarantine.
     */
    private List<Applied> write(String tenantId, TokenStream stream, List<JsonNode> results, String seenPass, Set<String> quarantined,
                                Instant readAt) {
        String source = quarantineSource(stream);
        List<MirrorStore.Listed> listed = new ArrayList<>();
        List<JsonNode> usable = new ArrayList<>();
        for (JsonNode record : results) {
            String id;
            Instant updatedAt;
            try {
                id = RecordFields.id(record);
                updatedAt = stream.versionedByUpdatedAt() ? RecordFields.updatedAt(record) : null;
            } catch (RecordFields.MalformedRecordException malformed) {
                String itemId = malformed.recordId() != null ? malformed.recordId() : "no-id-" + mirror.hash(record);
                quarantine.record(tenantId, source, itemId, malformed.getMessage());
                if (seenPass != null && malformed.recordId() != null) mirror.markSeen(tenantId, stream.entityType(), malformed.recordId(), seenPass);
                continue;
            }
            if (quarantined.remove(source + "#" + id)) quarantine.release(tenantId, source, id);
            Map<String, AttributeValue> extra = stream.entityType().equals(CandidateDocuments.APPLICATION)
                    ? Map.of("candidateId", AttributeValue.fromS(record.path("candidate").path("id").asText()))
                    : Map.of();
            listed.add(new MirrorStore.Listed(id, updatedAt, record, extra));
            usable.add(record);
        }
        // records of the other streams are Findem's events themselves, told through the outbox (candidates and
        // applications become documents, sent by their details work)
        boolean documentPart = stream.entityType().equals(CandidateDocuments.CANDIDATE) || stream.entityType().equals(CandidateDocuments.APPLICATION);
        MirrorStore.Page page = new MirrorStore.Page(stream.entityType(), documentPart ? null : stream.eventEntity(), seenPass, readAt, listed);
        List<MirrorStore.Written> writes = documentPart ? mirror.upsertPage(tenantId, page) : records.upsertPage(tenantId, page);
        List<Applied> applied = new ArrayList<>();
        for (int i = 0; i < listed.size(); i++) {
            applied.add(new Applied(usable.get(i), listed.get(i).entityId(), listed.get(i).updatedAt(), writes.get(i)));
        }
        return applied;
    }

    private static String quarantineSource(TokenStream stream) {
        return "stream:" + stream.name();
    }

    // ---- reconciliation -------------------------------------------------------------------------------------------

    /**
     * After a full listing: a live mirrored record the listing did not show may be gone from Ashby. Reads only the
     * records' presence (not their data), page by page, so a tenant of any size is reconciled in flat memory; each
     * record found unlisted is removed only once it is confirmed gone ({@link #confirmedGone}).
     */
    private void reconcile(AshbySession session, TokenStream stream, String passId) {
        String tenantId = session.tenantId();
        Instant expiresAt = clock.instant().plus(config.tombstoneRetention());
        Set<String> unannounced = new TreeSet<>();
        // each removal is told to Findem as it is found (through the outbox: a crash before the event is sent leaves
        // the marker for the retry or the sweep)
        mirror.forEachPresence(tenantId, stream.entityType(), row -> {
            if (row.deleted() || passId.equals(row.seenPass())) return;
            if (!confirmedGone(session, stream.entityType(), row.entityId(), passId)) return;
            if (stream.entityType().equals(CandidateDocuments.CANDIDATE)) {
                String survivor = mergedInto(tenantId, row.entityId());
                if (removals.remove(tenantId, row.entityId(), survivor, expiresAt)) {
                    // the candidateDelete / candidateMerge webhook would have removed it first
                    unannounced.add(survivor == null ? WebhookSilence.CANDIDATE_DELETE : WebhookSilence.CANDIDATE_MERGE);
                }
            } else {
                mirror.tombstone(tenantId, stream.entityType(), row.entityId(), expiresAt, true)
                        .ifPresent(revision -> outbox.applicationRemoved(tenantId, row.entityId(), row.candidateId(), revision));
            }
        });
        // when Ashby removed them is not known: the time they were found gone stands for it
        Instant foundAt = clock.instant();
        unannounced.forEach(type -> silence.pollerApplied(tenantId, type, foundAt));
    }

    /**
     * Absence from a listing is no proof: the presence index lags the table (its stamps of the last pages may not be
     * visible yet), a row written by a webhook during the pass carries no stamp, and a listing paged over minutes can
     * miss a record that moved between its pages. So the row is read again (consistently: stamped after all, or
     * removed meanwhile, it stays as it is), then Ashby is asked: gone only when it answers not found, or answers for
     * another id (merged away). Deletes are rare, so this costs a few calls, not a pass.
     */
    private boolean confirmedGone(AshbySession session, String entityType, String entityId, String passId) {
        Optional<MirrorRow> row = mirror.get(session.tenantId(), entityType, entityId, MirrorStore.ITEM);
        if (row.isEmpty() || row.get().deleted() || passId.equals(row.get().seenPass())) return false;
        boolean candidate = entityType.equals(CandidateDocuments.CANDIDATE);
        try {
            JsonNode record = candidate
                    ? session.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", entityId), JsonNode.class)
                    : session.call(AshbyEndpoint.APPLICATION_INFO, Map.of("applicationId", entityId), JsonNode.class);
            boolean answeredForAnother = !entityId.equals(record.path("id").asText());
            if (!answeredForAnother) {
                LOG.infof("tenant %s: %s %s was not listed by the full pass but Ashby still has it: kept", session.tenantId(),
                        entityType, entityId);
            }
            return answeredForAnother;
        } catch (AshbyException.Rejected refused) {
            if (refused.code().equals(candidate ? "candidate_not_found" : "application_not_found")) return true;
            throw refused;
        }
    }

    /** A merged-away candidate's applications now belong to the survivor, which the applications stream mirrored. */
    private String mergedInto(String tenantId, String candidateId) {
        List<String> applicationIds = new ArrayList<>();
        mirror.getAll(tenantId, CandidateDocuments.CANDIDATE, List.of(candidateId))
                .forEach(candidate -> candidate.data().path("applicationIds").forEach(id -> applicationIds.add(id.asText())));
        return mirror.getAll(tenantId, CandidateDocuments.APPLICATION, applicationIds).stream()
                .filter(a -> !a.deleted())
                .map(a -> a.data().path("candidate").path("id").asText())
                .filter(owner -> !owner.equals(candidateId))
                .findFirst().orElse(null);
    }

    // ---- snapshot lists -------------------------------------------------------------------------------------------

    private void refreshSnapshots(AshbySession session, Map<String, Long> applied, Set<String> quarantined) {
        String tenantId = session.tenantId();
        StreamCursor last = state.cursor(tenantId, REFERENCE_STREAM);
        Instant now = clock.instant();
        if (last.lastFullAt() != null && last.lastFullAt().plus(config.referenceRefreshInterval()).isAfter(now)) return;
        long records = 0;
        Instant newestPostingChange = null;
        for (SnapshotList list : SNAPSHOT_LISTS) {
            try {
                Instant readAt = clock.instant();
                List<JsonNode> listed = session.callForList(list.endpoint(), list.request(), JsonNode.class);
                records += listed.size();
                for (JsonNode changed : upsertSnapshot(tenantId, list.entityType(), list.eventEntity(), listed, quarantined, readAt)) {
                    // a working jobPostingUpdate webhook would have brought this version first
                    Instant updatedAt = list.endpoint() != AshbyEndpoint.JOB_POSTING_LIST ? null : RecordFields.updatedAt(changed);
                    if (updatedAt != null && (newestPostingChange == null || updatedAt.isAfter(newestPostingChange))) newestPostingChange = updatedAt;
                }
            } catch (AshbyException.MissingPermission missing) {
                LOG.warnf("tenant %s: key lacks %s, %s skipped", tenantId, missing.permission(), list.endpoint());
                state.recordFailure(tenantId, REFERENCE_STREAM, clock.instant(), missing.getMessage(),
                        "missing permission: " + missing.permission());
            }
        }
        // stages hang off plans: the plans stream may not have run yet on a first pass, so list them from Ashby
        try {
            List<JsonNode> plans = session.callForList(AshbyEndpoint.INTERVIEW_PLAN_LIST, Map.of("includeArchived", true), JsonNode.class);
            for (JsonNode plan : plans) {
                Instant readAt = clock.instant();
                List<JsonNode> stages = session.callForList(AshbyEndpoint.INTERVIEW_STAGE_LIST, Map.of("interviewPlanId", plan.path("id").asText()),
                        JsonNode.class);
                records += stages.size();
                upsertSnapshot(tenantId, INTERVIEW_STAGE, INTERVIEW_STAGE_EVENT, stages, quarantined, readAt);
            }
        } catch (AshbyException.MissingPermission missing) {
            LOG.warnf("tenant %s: key lacks %s, interview stages skipped", tenantId, missing.permission());
            state.recordFailure(tenantId, REFERENCE_STREAM, clock.instant(), missing.getMessage(),
                    "missing permission: " + missing.permission());
        }
        if (newestPostingChange != null) silence.pollerApplied(tenantId, WebhookSilence.JOB_POSTING_UPDATE, newestPostingChange);
        applied.merge(REFERENCE_STREAM, records, Long::sum);
        state.saveCursor(tenantId, REFERENCE_STREAM, new StreamCursor(null, null, null, null, null, now, records, records));
    }

    /**
     * A snapshot list into the mirror as one page ({@link #write}): a record that does not parse is quarantined, the
     * rest of the list goes on.
     *
     * @return the records that changed the mirror (their events sent)
     */
    private List<JsonNode> upsertSnapshot(String tenantId, String entityType, String eventEntity, List<JsonNode> list, Set<String> quarantined,
                                          Instant readAt) {
        String source = "snapshot:" + entityType;
        List<MirrorStore.Listed> listed = new ArrayList<>();
        for (JsonNode record : list) {
            try {
                String id = RecordFields.id(record);
                listed.add(new MirrorStore.Listed(id, RecordFields.updatedAt(record), record, Map.of()));
                if (quarantined.remove(source + "#" + id)) quarantine.release(tenantId, source, id);
            } catch (RecordFields.MalformedRecordException malformed) {
                quarantine.record(tenantId, source, malformed.recordId() != null ? malformed.recordId() : "no-id-" + mirror.hash(record),
                        malformed.getMessage());
            }
        }
        if (listed.isEmpty()) return List.of();
        List<MirrorStore.Written> written = records.upsertPage(tenantId, new MirrorStore.Page(entityType, eventEntity, null, readAt, listed));
        List<JsonNode> changed = new ArrayList<>();
        for (int i = 0; i < listed.size(); i++) if (written.get(i).changed()) changed.add(listed.get(i).data());
        return changed;
    }

    /** The tenant's quarantined items as {@code <source>#<itemId>}: one query, so a listing can release the mended ones. */
    private Set<String> quarantinedKeys(String tenantId) {
        Set<String> keys = new HashSet<>();
        quarantine.list(tenantId).forEach(item -> keys.add(item.source() + "#" + item.itemId()));
        return keys;
    }

    // ---- status ---------------------------------------------------------------------------------------------------

    private void saveStatus(String tenantId, Instant started, Map<String, Long> applied, String phase) {
        Instant now = clock.instant();
        double minutes = Math.max(Duration.between(started, now).toMillis(), 1) / 60_000.0;
        long total = applied.values().stream().mapToLong(Long::longValue).sum();
        Map<String, AttributeValue> status = new LinkedHashMap<>();
        status.put("phase", AttributeValue.fromS(phase));
        status.put("runStartedAt", AttributeValue.fromS(started.toString()));
        status.put("updatedAt", AttributeValue.fromS(now.toString()));
        status.put("recordsThisRun", AttributeValue.fromN(Long.toString(total)));
        status.put("recordsPerMinute", AttributeValue.fromN(Long.toString(Math.round(total / minutes))));
        Map<String, AttributeValue> perStream = new LinkedHashMap<>();
        applied.forEach((name, count) -> perStream.put(name, AttributeValue.fromN(Long.toString(count))));
        status.put("streams", AttributeValue.fromM(perStream));
        StreamCursor candidates = state.cursor(tenantId, "candidates");
        long candidatesPerMinute = Math.round(applied.getOrDefault("candidates", 0L) / minutes);
        status.put("candidatesInPass", AttributeValue.fromN(Long.toString(candidates.passRecords())));
        status.put("candidatesLastFullPass", AttributeValue.fromN(Long.toString(candidates.lastFullCount())));
        if (candidates.inPass() && candidatesPerMinute > 0 && candidates.lastFullCount() > candidates.passRecords()) {
            long etaSeconds = (candidates.lastFullCount() - candidates.passRecords()) * 60 / candidatesPerMinute;
            status.put("etaSeconds", AttributeValue.fromN(Long.toString(etaSeconds)));
        }
        state.saveStatus(tenantId, status);
    }
}
