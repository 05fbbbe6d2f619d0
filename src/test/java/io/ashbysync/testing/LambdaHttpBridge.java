package io.ashbysync.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loopback HTTP API in front of the function under test: a request for the route becomes the API Gateway v2 event
 * ({@link HttpApiEvents}) and goes to the function through Quarkus' Lambda event server ({@link LambdaInvoker}); its
 * response becomes the HTTP answer. So a real HTTP client (the simulator's webhook sender) reaches the function as
 * it would through API Gateway.
 */
public final class LambdaHttpBridge implements AutoCloseable {
    private final HttpServer server;
    private final HttpApiEvents.Route route;
    /** Quarkus' test event server runs one invocation at a time; concurrent senders queue here instead. */
    private final ReentrantLock invocations = new ReentrantLock();
    private final AtomicInteger lostAnswers = new AtomicInteger();

    private LambdaHttpBridge(String routeKey) throws IOException {
        this.route = HttpApiEvents.Route.of(routeKey);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                Optional<Map<String, String>> parameters = route.match(exchange);
                if (parameters.isEmpty()) {
                    HttpApiEvents.send(exchange, HttpApiEvents.Answer.notFound());
                    return;
                }
                String event = HttpApiEvents.event(exchange, routeKey, parameters.get(), exchange.getRequestBody().readAllBytes());
                String response;
                invocations.lock();
                try {
                    response = LambdaInvoker.invoke(event);
                } finally {
                    invocations.unlock();
                }
                HttpApiEvents.Answer answer = HttpApiEvents.fromPayload(response.getBytes(StandardCharsets.UTF_8));
                if (lostAnswers.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
                    // the function ran, but its answer never reached the sender (as when API Gateway times out)
                    answer = HttpApiEvents.Answer.json(504, "{\"message\":\"Endpoint request timed out\"}");
                }
                HttpApiEvents.send(exchange, answer);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** Serves {@code routeKey}, e.g. {@code POST /webhooks/ashby/{tenantId}}. */
    public static LambdaHttpBridge start(String routeKey) {
        try {
            return new LambdaHttpBridge(routeKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of a path on this bridge, e.g. {@code /webhooks/ashby/t-1}. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The next {@code count} requests still reach the function, but their senders get a 504 instead of its answer. */
    public void loseNextAnswers(int count) {
        lostAnswers.set(count);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
