package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Delivers webhooks like Ashby: body {webhookActionId, action, data}, header Ashby-Signature: sha256=&lt;hex
 * HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes&gt;, up to 10 attempts with the delay before
 * retry n being (2^n − 1) × 10 s on a compressed clock, and no retry after 401/403/404/405/410.
 */
public final class WebhookSender implements AutoCloseable {
    public static final int MAX_ATTEMPTS = 10;
    private static final Set<Integer> NOT_RETRIED = Set.of(401, 403, 404, 405, 410);

    /** One webhook action; several related ones fired together share a webhookActionId. */
    public record Event(String action, ObjectNode data) {}

    /**
     * One delivery attempt. {@code status} 0 = no HTTP answer (timeout, refused). {@code sentAtNanos} is
     * System.nanoTime() when the attempt was sent, for checking the retry schedule.
     */
    public record Delivery(String webhookId, String webhookActionId, String action, int attempt, int status,
                           long sentAtNanos, String body, String signature) {}

    private final Duration secondLength;
    private final Duration timeout;
    private final HttpClient http;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ashby-sim-webhook-timer");
        t.setDaemon(true);
        return t;
    });
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition delivered = lock.newCondition();
    private final List<Delivery> deliveries = new ArrayList<>();

    WebhookSender(Duration secondLength, Duration timeout) {
        this.secondLength = secondLength;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).executor(senders).build();
    }

    /** Simulated delay before retry n (n = 1 for the second attempt): (2^n − 1) × 10 s. */
    public static Duration retryDelay(int retryNumber) {
        return Duration.ofSeconds(((1L << retryNumber) - 1) * 10);
    }

    /** Lowercase hex HMAC-SHA256 of {@code body} keyed with {@code secret} as UTF-8, prefixed "sha256=". */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Delivery> deliveries() {
        lock.lock();
        try {
            return List.copyOf(deliveries);
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until {@code condition} holds for the delivery log, or fails after {@code within}. */
    public List<Delivery> awaitDeliveries(Predicate<List<Delivery>> condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        lock.lock();
        try {
            while (!condition.test(deliveries)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("webhook deliveries did not reach the expected state: " + deliveries);
                }
                delivered.awaitNanos(left);
            }
            return List.copyOf(deliveries);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Sends a ping synchronously; true when the endpoint answered 2xx. */
    boolean ping(ObjectNode webhook) {
        ObjectNode data = Json.object().put("webhookActionType", "ping");
        return send(webhook, Ids.uuid(), "ping", data, 1) / 100 == 2;
    }

    void fire(List<ObjectNode> webhooks, String webhookActionId, Event... related) {
        for (Event event : related) {
            for (ObjectNode hook : webhooks) {
                if (hook.path("enabled").asBoolean() && event.action().equals(hook.path("webhookType").asText())) {
                    senders.submit(() -> attempt(hook, webhookActionId, event, 1));
                }
            }
        }
    }

    private void attempt(ObjectNode hook, String webhookActionId, Event event, int attempt) {
        int status = send(hook, webhookActionId, event.action(), event.data(), attempt);
        boolean success = status / 100 == 2;
        if (!success && !NOT_RETRIED.contains(status) && attempt < MAX_ATTEMPTS) {
            long delayNanos = retryDelay(attempt).toSeconds() * secondLength.toNanos();
            timer.schedule(() -> senders.submit(() -> attempt(hook, webhookActionId, event, attempt + 1)),
                    delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private int send(ObjectNode hook, String webhookActionId, String action, ObjectNode data, int attempt) {
        ObjectNode payload = Json.object();
        payload.put("webhookActionId", webhookActionId);
        payload.put("action", action);
        payload.set("data", data);
        byte[] body = Json.write(payload).getBytes(StandardCharsets.UTF_8);
        String secret = hook.path("secretToken").asText(null);
        String signature = secret == null || secret.isEmpty() ? null : signature(secret, body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hook.get("requestUrl").asText()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            request.header("Ashby-Signature", signature);
        }
        long sentAt = System.nanoTime();
        int status;
        try {
            status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            status = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 0;
        } catch (IllegalArgumentException e) {
            status = 0;
        }
        lock.lock();
        try {
            deliveries.add(new Delivery(hook.get("id").asText(), webhookActionId, action, attempt, status, sentAt,
                    new String(body, StandardCharsets.UTF_8), signature));
            delivered.signalAll();
        } finally {
            lock.unlock();
        }
        return status;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        senders.shutdownNow();
    }
}
