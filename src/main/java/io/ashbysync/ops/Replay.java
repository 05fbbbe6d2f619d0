package io.ashbysync.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.mirror.CandidateDocuments;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.mirror.MirroredRecords;
import io.ashbysync.outbound.EventPublisher;
import io.ashbysync.outbound.OutboundEvent;
import io.ashbysync.poll.TenantSync;
import io.ashbysync.work.WorkHandler;
import io.ashbysync.work.WorkItem;
import io.ashbysync.work.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Replays a tenant's outbound events from the mirror (Findem lost events, or a new consumer needs them all): one
 * document per mirrored candidate and one {@code <entity>.upserted} per mirrored job, posting, stage and reference
 * record. The request only lists the mirrored candidates and queues them in chunks, plus one item per record type;
 * the commands function sends the events, so a tenant of any size replays without an HTTP timeout and within its
 * own throughput.
 */
@ApplicationScoped
public class Replay implements WorkHandler {
    public static final String TYPE = "tenant.replay";
    static final int CHUNK = 100;

    public record Started(String tenantId, String replayId, int candidates, int chunks, int recordTypes) {}

    private final MirrorStore mirror;
    private final CandidateDocuments documents;
    private final MirroredRecords records;
    private final EventPublisher events;
    private final WorkQueue work;
    private final ObjectMapper mapper;

    public Replay(MirrorStore mirror, CandidateDocuments documents, MirroredRecords records, EventPublisher events, WorkQueue work,
                  ObjectMapper mapper) {
        this.mirror = mirror;
        this.documents = documents;
        this.records = records;
        this.events = events;
        this.work = work;
        this.mapper = mapper;
    }

    public Started start(String tenantId) {
        String replayId = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        mirror.forEachPresence(tenantId, CandidateDocuments.CANDIDATE, row -> {
            if (!row.deleted()) ids.add(row.entityId());
        });
        ids.sort(null);
        List<WorkItem> items = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            ObjectNode payload = mapper.createObjectNode().put("replayId", replayId);
            ArrayNode chunk = payload.putArray("candidateIds");
            ids.subList(from, Math.min(from + CHUNK, ids.size())).forEach(chunk::add);
            items.add(new WorkItem(TYPE, tenantId, replayId + "-" + items.size(), payload));
        }
        int chunks = items.size();
        TenantSync.RECORD_EVENT_ENTITIES.forEach((entityType, entity) -> items.add(new WorkItem(TYPE, tenantId,
                replayId + "-" + entityType, mapper.createObjectNode().put("replayId", replayId).put("entityType", entityType))));
        work.send(items);
        return new Started(tenantId, replayId, ids.size(), chunks, items.size() - chunks);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Sending an item twice (a redelivery) sends the same event ids again, which Findem drops. */
    @Override
    public void handle(WorkItem item) {
        String replayId = item.payload().path("replayId").asText();
        String entityType = item.payload().path("entityType").asText(null);
        if (entityType == null) {
            item.payload().path("candidateIds").forEach(id -> documents.publishReplay(item.tenantId(), id.asText(), replayId));
            return;
        }
        String entity = TenantSync.RECORD_EVENT_ENTITIES.get(entityType);
        if (entity == null) throw new IllegalArgumentException("payload.entityType: '" + entityType + "' is not a mirrored record type");
        List<OutboundEvent> replayed = mirror.all(item.tenantId(), entityType).stream().filter(r -> !r.deleted())
                .map(row -> records.replayed(item.tenantId(), entity, row, replayId)).toList();
        if (!replayed.isEmpty()) events.publish(replayed);
    }
}
