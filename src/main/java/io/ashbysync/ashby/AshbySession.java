package io.ashbysync.ashby;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ashbysync.platform.Deadline;
import io.ashbysync.platform.Metrics;
import io.ashbysync.tenant.ApiKey;
import io.ashbysync.tenant.TenantConfig;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterators;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jboss.logging.Logger;

/** Ashby calls for one tenant, optionally acting as one of the tenant's Ashby users. Cheap to create. */
public final class AshbySession {
    private static final Logger LOG = Logger.getLogger(AshbySession.class);
    private static final int PAGE_SIZE = 100;
    private static final Set<String> WARNED_VERSION_STATUSES = ConcurrentHashMap.newKeySet();

    private final AshbyClient client;
    private final TenantConfig tenant;
    private final String onBehalfOfUserId;
    /** A key not (yet) in the secret store, checked before it replaces the stored one; null: the stored key. */
    private final ApiKey candidateKey;

    AshbySession(AshbyClient client, TenantConfig tenant, String onBehalfOfUserId) {
        this(client, tenant, onBehalfOfUserId, null);
    }

    AshbySession(AshbyClient client, TenantConfig tenant, String onBehalfOfUserId, ApiKey candidateKey) {
        this.client = client;
        this.tenant = tenant;
        this.onBehalfOfUserId = onBehalfOfUserId;
        this.candidateKey = candidateKey;
    }

    public String tenantId() {
        return tenant.tenantId();
    }

    /** Sends {@code X-On-Behalf-Of} so Ashby records the change as made by that user (the key must allow it). */
    public AshbySession onBehalfOf(String ashbyUserId) {
        return new AshbySession(client, tenant, ashbyUserId, candidateKey);
    }

    /** Calls an endpoint whose {@code results} is one object. */
    public <T> T call(AshbyEndpoint endpoint, Object request, Class<T> resultType) {
        AshbyResponse response = exchange(endpoint, body(request));
        return read(endpoint, response, response.root().get("results"), client.mapper.constructType(resultType));
    }

    /** Calls an endpoint whose {@code results} is an array, following a cursor if Ashby returns one. */
    public <T> List<T> callForList(AshbyEndpoint endpoint, Object request, Class<T> elementType) {
        if (endpoint.paging() != AshbyEndpoint.Paging.NONE) {
            List<T> all = new ArrayList<>();
            pages(endpoint, request, elementType, ListPosition.FULL).forEach(page -> all.addAll(page.results()));
            return all;
        }
        AshbyResponse response = exchange(endpoint, body(request));
        return read(endpoint, response, response.root().get("results"),
                client.mapper.getTypeFactory().constructCollectionType(List.class, elementType));
    }

    /**
     * Pages through a listing lazily, starting at {@code from}. A sync token is sent on every page of an incremental
     * pass, with the cursor after the first page. Expired or invalid tokens and cursors raise
     * {@link AshbyException.SyncStateExpired}: the caller restarts from {@link ListPosition#FULL}.
     */
    public <T> Stream<AshbyPage<T>> pages(AshbyEndpoint endpoint, Object request, Class<T> elementType, ListPosition from) {
        if (endpoint.paging() == AshbyEndpoint.Paging.NONE) {
            throw new IllegalArgumentException(endpoint + " is not paginated");
        }
        if (!from.isFull() && endpoint.paging() != AshbyEndpoint.Paging.SYNC_TOKEN) {
            throw new IllegalArgumentException(endpoint + " does not take sync tokens");
        }
        ObjectNode base = body(request);
        JavaType listType = client.mapper.getTypeFactory().constructCollectionType(List.class, elementType);
        Iterator<AshbyPage<T>> iterator = new Iterator<>() {
            private ListPosition position = from;
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public AshbyPage<T> next() {
                if (done) throw new NoSuchElementException();
                ObjectNode pageRequest = base.deepCopy();
                pageRequest.put("limit", PAGE_SIZE);
                if (position.syncToken() != null) pageRequest.put("syncToken", position.syncToken());
                if (position.cursor() != null) pageRequest.put("cursor", position.cursor());
                AshbyResponse response = exchange(endpoint, pageRequest);
                JsonNode root = response.root();
                List<T> results = read(endpoint, response, root.get("results"), listType);
                JsonNode more = root.get("moreDataAvailable");
                if (more != null && !more.isBoolean()) {
                    throw malformed(endpoint, response, "'moreDataAvailable' is not a boolean");
                }
                boolean moreData = more != null && more.booleanValue();
                if (!moreData) {
                    done = true;
                    String token = root.path("syncToken").isTextual() ? root.get("syncToken").asText() : null;
                    return new AshbyPage<>(results, true, new ListPosition(position.syncToken(), null), token, response.requestId());
                }
                JsonNode cursor = root.get("nextCursor");
                if (cursor == null || !cursor.isTextual() || cursor.asText().isEmpty() || cursor.asText().equals(position.cursor())) {
                    throw malformed(endpoint, response, "more data is available but no new 'nextCursor' was given");
                }
                position = new ListPosition(position.syncToken(), cursor.asText());
                return new AshbyPage<>(results, false, position, null, response.requestId());
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator, 0), false);
    }

    /** The request with its parsed envelope, after budget, retries and error decoding. */
    record AshbyResponse(JsonNode root, String requestId) {}

    AshbyResponse exchange(AshbyEndpoint endpoint, ObjectNode body) {
        String json;
        try {
            json = client.mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise request for " + endpoint, e);
        }
        try {
            return (endpoint.isWrite() ? client.writeGuard : client.readGuard).call(() -> attempt(endpoint, json), AshbyResponse.class);
        } catch (AshbyException.Unavailable unavailable) {
            if (endpoint.isWrite() && !unavailable.safeToRetryWrite()) {
                throw new AshbyException.WriteOutcomeUnknown(unavailable);
            }
            throw unavailable;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("unexpected checked exception calling " + endpoint, e);
        }
    }

    private AshbyResponse attempt(AshbyEndpoint endpoint, String json) {
        // not retried: a retry would start no sooner (the backoff stops at the deadline)
        Deadline.check("calling Ashby " + endpoint.path());
        client.partnerThrottle.awaitClear();
        client.budget.acquire(tenant.tenantId(), tenant.requestsPerMinute());
        ApiKey key = candidateKey != null ? candidateKey : client.secrets.apiKey(tenant.tenantId());
        long started = System.nanoTime();
        Response response;
        try {
            response = beforeDeadline(endpoint, () -> client.api.call(endpoint.path(), key.basicAuthorization(),
                    client.config.apiVersion(), onBehalfOfUserId, json));
        } catch (ProcessingException e) {
            throw transportFailure(endpoint, e);
        }
        try (response) {
            String body;
            try {
                body = response.hasEntity() ? response.readEntity(String.class) : null;
            } catch (ProcessingException e) {
                throw transportFailure(endpoint, e);
            }
            warnIfVersionNotActive(response.getHeaderString("Ashby-Version"), response.getHeaderString("Ashby-Version-Status"));
            JsonNode root;
            try {
                root = client.decoder.decode(endpoint, response.getStatus(), response::getHeaderString, body);
            } catch (AshbyException failed) {
                Metrics.ashbyCall(tenant.tenantId(), endpoint.path(), true, failed instanceof AshbyException.RateLimited);
                throw failed;
            }
            Metrics.ashbyCall(tenant.tenantId(), endpoint.path(), false, false);
            String requestId = root.path("errorInfo").path("requestId").asText(response.getHeaderString(AshbyResponseDecoder.REQUEST_ID_HEADER));
            LOG.debugf("ashby %s status=%d ms=%d requestId=%s", endpoint, response.getStatus(),
                    (System.nanoTime() - started) / 1_000_000, requestId);
            return new AshbyResponse(root, requestId);
        } catch (AshbyException.RateLimited limited) {
            if (limited.partnerScope()) {
                client.partnerThrottle.pause(limited.retryAfter().orElse(client.config.partnerThrottlePause()));
            }
            throw limited;
        } catch (AshbyException.Unauthorized refused) {
            client.secrets.invalidate(tenant.tenantId());
            throw refused;
        }
    }

    /**
     * The call, given up when the invocation's deadline comes first: the REST client's own timeouts (connect and
     * read) bound it otherwise, so only a call that could outlast the deadline runs on a thread of its own.
     */
    private Response beforeDeadline(AshbyEndpoint endpoint, Callable<Response> call) {
        Duration left = Deadline.remaining(client.callTimeout);
        try {
            if (left.compareTo(client.callTimeout) >= 0) return call.call();
        } catch (ProcessingException e) {
            throw e;
        } catch (Exception e) {
            throw new ProcessingException(e);
        }
        FutureTask<Response> task = new FutureTask<>(call);
        Thread.ofVirtual().start(task);
        try {
            return task.get(left.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            // sent: Ashby may have applied it (a write's outcome is then unknown)
            throw new AshbyException.Unavailable(endpoint.path(), "timeout",
                    "no response from Ashby before the invocation's deadline (" + left.toMillis() + " ms left)", null, 0, true, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ProcessingException p ? p : new ProcessingException(e.getCause());
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProcessingException(e);
        }
    }

    /**
     * A connection that was never established means Ashby never saw the request; anything else (timeout, reset,
     * a body cut short) may have happened after Ashby applied it.
     */
    private static AshbyException.Unavailable transportFailure(AshbyEndpoint endpoint, Throwable failure) {
        boolean sent = true;
        boolean timeout = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) sent = false;
            if (t.getClass().getSimpleName().contains("Timeout")) timeout = true;
            if (t.getCause() == t) break;
        }
        String code = !sent ? "connection_refused" : timeout ? "timeout" : "connection_failed";
        return new AshbyException.Unavailable(endpoint.path(), code, "no response from Ashby: " + rootMessage(failure),
                null, 0, sent, failure);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
    }

    private static void warnIfVersionNotActive(String version, String status) {
        if (status != null && !status.equalsIgnoreCase("active") && WARNED_VERSION_STATUSES.add(version + "/" + status)) {
            LOG.warnf("Ashby API version %s is %s: plan the upgrade (set ashby.api-version)", version, status);
        }
    }

    private ObjectNode body(Object request) {
        if (request == null) return client.mapper.createObjectNode();
        JsonNode node = client.mapper.valueToTree(request);
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("an Ashby request body must be a JSON object, was " + node.getNodeType());
        }
        return object;
    }

    private <T> T read(AshbyEndpoint endpoint, AshbyResponse response, JsonNode results, JavaType type) {
        if (results == null || results.isNull()) {
            throw malformed(endpoint, response, "'results' is missing");
        }
        try {
            return client.mapper.readerFor(type).readValue(results);
        } catch (IOException | IllegalArgumentException e) {
            throw new AshbyException.MalformedResponse(endpoint.path(),
                    "'results' does not match " + type.toCanonical() + ": " + e.getMessage().lines().findFirst().orElse(""),
                    response.requestId(), 200, e);
        }
    }

    private static AshbyException.MalformedResponse malformed(AshbyEndpoint endpoint, AshbyResponse response, String problem) {
        return new AshbyException.MalformedResponse(endpoint.path(), problem, response.requestId(), 200, null);
    }
}
