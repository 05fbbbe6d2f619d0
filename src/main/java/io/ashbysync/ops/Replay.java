package io.ashbysync.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.mirror.CandidateDocuments;
import io.ashbysync.mirror.MirrorRow;
import io.ashbysync.mirror.MirrorStore;
import io.ashbysync.work.WorkHandler;
import io.ashbysync.work.WorkItem;
import io.ashbysync.work.WorkQueue;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Replays a tenant's outbound candidate documents from the mirror (Findem lost events, or a new consumer needs
 * them all): the request only lists the mirrored candidates and queues them in chunks; the commands function sends
 * the documents, so a tenant of any size replays without an HTTP timeout and within its own throughput.
 */
@ApplicationScoped
public class Replay implements WorkHandler {
    public static final String TYPE = "tenant.replay";
    static final int CHUNK = 100;

    public record Started(String tenantId, String replayId, int candidates, int chunks) {}

    private final MirrorStore mirror;
    private final CandidateDocuments documents;
    private final WorkQueue work;
    private final ObjectMapper mapper;

    public Replay(MirrorStore mirror, CandidateDocuments documents, WorkQueue work, ObjectMapper mapper) {
        this.mirror = mirror;
        this.documents = documents;
        this.work = work;
        this.mapper = mapper;
    }

    public Started start(String tenantId) {
        String replayId = UUID.randomUUID().toString();
        List<String> ids = mirror.all(tenantId, CandidateDocuments.CANDIDATE).stream().filter(r -> !r.deleted())
                .map(MirrorRow::entityId).sorted().toList();
        List<WorkItem> items = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            ObjectNode payload = mapper.createObjectNode().put("replayId", replayId);
            ArrayNode chunk = payload.putArray("candidateIds");
            ids.subList(from, Math.min(from + CHUNK, ids.size())).forEach(chunk::add);
            items.add(new WorkItem(TYPE, tenantId, replayId + "-" + items.size(), payload));
        }
        work.send(items);
        return new Started(tenantId, replayId, ids.size(), items.size());
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Sending a chunk twice (a redelivery) sends the same event ids again, which Findem drops. */
    @Override
    public void handle(WorkItem item) {
        String replayId = item.payload().path("replayId").asText();
        item.payload().path("candidateIds").forEach(id -> documents.publishReplay(item.tenantId(), id.asText(), replayId));
    }
}
