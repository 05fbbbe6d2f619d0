package io.ashbysync.work;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/** Decodes a work-queue message and hands it to the {@link WorkHandler} of its type. */
@ApplicationScoped
public class WorkDispatcher {
    private static final Logger LOG = Logger.getLogger(WorkDispatcher.class);

    private final ObjectMapper mapper;
    private final Map<String, WorkHandler> handlers = new HashMap<>();

    public WorkDispatcher(ObjectMapper mapper, Instance<WorkHandler> handlers) {
        this.mapper = mapper;
        for (WorkHandler handler : handlers) {
            WorkHandler previous = this.handlers.put(handler.type(), handler);
            if (previous != null) {
                throw new IllegalStateException("two work handlers for type " + handler.type());
            }
        }
    }

    public void process(SQSEvent.SQSMessage message) throws Exception {
        WorkItem item;
        try {
            item = decode(message.getBody());
        } catch (IllegalArgumentException e) {
            // Internal messages are written by this code; a bad one is a bug, not worth retrying.
            LOG.errorf("dropped malformed work message %s: %s", message.getMessageId(), e.getMessage());
            return;
        }
        WorkHandler handler = handlers.get(item.type());
        if (handler == null) {
            LOG.errorf("dropped work message %s of unknown type '%s'", message.getMessageId(), item.type());
            return;
        }
        MDC.put("tenantId", item.tenantId());
        MDC.put("workId", item.workId());
        try {
            handler.handle(item);
        } finally {
            MDC.remove("tenantId");
            MDC.remove("workId");
        }
    }

    /** The message's {@link WorkHandler#serialKey}, prefixed by tenant and type; a message that does not decode is its own. */
    public String serialKey(SQSEvent.SQSMessage message) {
        try {
            WorkItem item = decode(message.getBody());
            WorkHandler handler = handlers.get(item.type());
            return handler == null ? message.getMessageId() : item.tenantId() + "/" + item.type() + "/" + handler.serialKey(item);
        } catch (IllegalArgumentException malformed) {
            return message.getMessageId();
        }
    }

    WorkItem decode(String body) {
        JsonNode root;
        try {
            root = mapper.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not JSON");
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("body is not a JSON object");
        for (String field : new String[] {"type", "tenantId", "workId"}) {
            if (!root.path(field).isTextual()) throw new IllegalArgumentException(field + " is missing");
        }
        JsonNode payload = root.get("payload");
        return new WorkItem(root.get("type").asText(), root.get("tenantId").asText(), root.get("workId").asText(),
                payload instanceof ObjectNode object ? object : mapper.createObjectNode());
    }
}
