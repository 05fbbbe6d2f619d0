package io.ashbysync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.ashby.AshbyClient;
import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.identity.IdentityIndex;
import io.ashbysync.mirror.RecordFields;
import io.ashbysync.mirror.CandidateDetailsWork;
import io.ashbysync.mirror.CandidateDocuments;
import io.ashbysync.mirror.CandidateRemovals;
import io.ashbysync.mirror.MirrorRow;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.mirror.MirroredRecords;
import io.ashbysync.poll.PollerConfig;
import io.ashbysync.tenant.TenantConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Applies one change Ashby announced to the mirror, with the same building blocks and events as the poller. Records
 * are re-read from Ashby rather than taken from the payload (a delivery may be a late retry; a read is current),
 * except job postings, whose payload has exactly the shape {@code jobPosting.list} returns (jobPosting.info adds
 * descriptions and forms the poller never stores). Every write is conditional on Ashby's {@code updatedAt}, so
 * whichever of webhook and poller saw the newer version wins, in any order.
 */
@ApplicationScoped
public class WebhookChanges {
    private static final Logger LOG = Logger.getLogger(WebhookChanges.class);
    /**
     * What application.info returns beyond application.list's records; left out so a webhook and a poll of one
     * version store the same row (the stage history is mirrored in its own row by {@link CandidateDetailsWork}).
     */
    private static final List<String> INFO_ONLY_APPLICATION_FIELDS =
            List.of("applicationHistory", "applicationFormSubmissions", "referrals", "resumeFileHandle");

    private final AshbyClient ashby;
    private final MirrorStore mirror;
    private final MirroredRecords records;
    private final IdentityIndex identity;
    private final CandidateDetailsWork details;
    private final CandidateRemovals removals;
    private final PollerConfig mirrorConfig;
    private final ObjectMapper mapper;
    private final Clock clock = Clock.systemUTC();

    public WebhookChanges(AshbyClient ashby, MirrorStore mirror, MirroredRecords records, IdentityIndex identity,
                          CandidateDetailsWork details, CandidateRemovals removals, PollerConfig mirrorConfig,
                          ObjectMapper mapper) {
        this.ashby = ashby;
        this.mirror = mirror;
        this.records = records;
        this.identity = identity;
        this.details = details;
        this.removals = removals;
        this.mirrorConfig = mirrorConfig;
        this.mapper = mapper;
    }

    /** Throws on a transient failure (Ashby unavailable, AWS errors), so the delivery is retried. */
    public void apply(TenantConfig tenant, WebhookDelivery delivery) {
        AshbySession session = ashby.forTenant(tenant);
        String tenantId = tenant.tenantId();
        switch (delivery.kind()) {
            case APPLICATION -> {
                String applicationId = delivery.target("data.application.id");
                upsertApplication(session, applicationId)
                        .ifPresent(candidateId -> refreshCandidate(session, candidateId, List.of(applicationId)));
            }
            case CANDIDATE_DELETE ->
                    removals.remove(tenantId, delivery.target("data.candidate.id"), null, tombstoneExpiry());
            case CANDIDATE_MERGE -> merge(session, delivery.target("data.deletedCandidate.id"),
                    delivery.target("data.mergedCandidate.id"));
            case JOB -> refreshJob(session, delivery.target("data.job.id"));
            case JOB_POSTING -> {
                records.upsert(tenantId, "JOB_POSTING", "jobPosting", delivery.data().get("jobPosting"), clock.instant());
                refreshJob(session, delivery.target("data.jobPosting.jobId"));
            }
            case INTERVIEW_PLAN_TRANSITION -> refreshJob(session, delivery.target("data.jobId"));
        }
    }

    /**
     * Ashby merged {@code deletedId} into {@code survivorId}: the survivor as Ashby has it now, the applications it
     * took over re-pointed in the mirror, then the merged-away candidate removed (identity moved to the survivor,
     * {@code candidate.merged}), then the survivor's document. The removal comes after the survivor's reads, so a
     * failed read retries the whole merge rather than finding the removal done.
     */
    private void merge(AshbySession session, String deletedId, String survivorId) {
        String tenantId = session.tenantId();
        Optional<JsonNode> survivor = upsertCandidate(session, survivorId);
        List<String> takenOver = new ArrayList<>();
        survivor.ifPresent(candidate -> candidate.path("applicationIds").forEach(id -> {
            String applicationId = id.asText();
            boolean pointsElsewhere = mirror.get(tenantId, CandidateDocuments.APPLICATION, applicationId, MirrorStore.ITEM)
                    .map(MirrorRow::data).map(row -> !survivorId.equals(row.path("candidate").path("id").asText())).orElse(true);
            if (pointsElsewhere && upsertApplication(session, applicationId).isPresent()) takenOver.add(applicationId);
        }));
        removals.remove(tenantId, deletedId, survivorId, tombstoneExpiry());
        if (survivor.isPresent()) publishCandidate(tenantId, survivorId, takenOver);
    }

    /** The application as Ashby has it now; returns its candidate's id, empty when Ashby no longer has it. */
    private Optional<String> upsertApplication(AshbySession session, String applicationId) {
        JsonNode application;
        Instant readAt = clock.instant();
        try {
            application = session.call(AshbyEndpoint.APPLICATION_INFO, Map.of("applicationId", applicationId), JsonNode.class);
        } catch (AshbyException.Rejected gone) {
            LOG.infof("application %s not readable (%s); left for reconciliation", applicationId, gone.code());
            return Optional.empty();
        }
        ObjectNode row = application.deepCopy();
        INFO_ONLY_APPLICATION_FIELDS.forEach(row::remove);
        String candidateId = row.path("candidate").path("id").asText();
        mirror.upsert(session.tenantId(), CandidateDocuments.APPLICATION, null, applicationId, updatedAt(row), row,
                Map.of("candidateId", AttributeValue.fromS(candidateId)), readAt);
        return Optional.of(candidateId);
    }

    private void refreshCandidate(AshbySession session, String candidateId, List<String> staleHistories) {
        if (upsertCandidate(session, candidateId).isPresent()) publishCandidate(session.tenantId(), candidateId, staleHistories);
    }

    /** The candidate as Ashby has it now, in the mirror and the identity index; empty when Ashby no longer has it. */
    private Optional<JsonNode> upsertCandidate(AshbySession session, String candidateId) {
        JsonNode candidate;
        Instant readAt = clock.instant();
        try {
            candidate = session.call(AshbyEndpoint.CANDIDATE_INFO, Map.of("id", candidateId), JsonNode.class);
        } catch (AshbyException.Rejected gone) {
            LOG.infof("candidate %s not readable (%s); left for reconciliation", candidateId, gone.code());
            return Optional.empty();
        }
        mirror.upsert(session.tenantId(), CandidateDocuments.CANDIDATE, null, candidateId, updatedAt(candidate), candidate, Map.of(), readAt);
        identity.linkAshbyCandidate(session.tenantId(), candidate);
        return Optional.of(candidate);
    }

    /** History of the named applications, notes and files, then the profile event if the document changed. */
    private void publishCandidate(String tenantId, String candidateId, List<String> staleHistories) {
        details.handle(CandidateDetailsWork.item(mapper, tenantId, candidateId, true, staleHistories, "webhook"));
    }

    /**
     * The job as Ashby has it now (its event sent when it changed) and, when it changed, the stages of its interview plan, which a plan transition may
     * have brought in: a plan transition fires {@code jobUpdate} too, under the same action id, and whichever of the
     * two is processed (once) must bring both.
     */
    private void refreshJob(AshbySession session, String jobId) {
        JsonNode job;
        Instant readAt = clock.instant();
        try {
            job = session.call(AshbyEndpoint.JOB_INFO, Map.of("id", jobId), JsonNode.class);
        } catch (AshbyException.Rejected gone) {
            LOG.infof("job %s not readable (%s)", jobId, gone.code());
            return;
        }
        boolean changed = records.upsert(session.tenantId(), "JOB", "job", job, readAt);
        String planId = job.path("defaultInterviewPlanId").asText("");
        if (changed && !planId.isEmpty()) {
            Instant stagesReadAt = clock.instant();
            List<MirrorStore.Listed> stages = new ArrayList<>();
            for (JsonNode stage : session.callForList(AshbyEndpoint.INTERVIEW_STAGE_LIST, Map.of("interviewPlanId", planId), JsonNode.class)) {
                stages.add(new MirrorStore.Listed(RecordFields.id(stage), RecordFields.updatedAt(stage), stage, Map.of()));
            }
            if (!stages.isEmpty()) {
                records.upsertPage(session.tenantId(), new MirrorStore.Page("INTERVIEW_STAGE", "interviewStage", null, stagesReadAt, stages));
            }
        }
    }

    private Instant tombstoneExpiry() {
        return clock.instant().plus(mirrorConfig.tombstoneRetention());
    }

    private static Instant updatedAt(JsonNode record) {
        return RecordFields.updatedAt(record);
    }
}
