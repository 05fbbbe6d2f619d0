package io.ashbysync.testing;

import com.sun.net.httpserver.HttpExchange;
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
import org.jboss.logging.Logger;

/**
 * A loopback HTTP API in front of the function under test: a request for the route becomes the API Gateway v2 event
 * ({@link HttpApiEvents}) and goes to the function through Quarkus' Lambda event server ({@link LambdaInvoker}); its
 * response becomes the HTTP answer. So a real HTTP client (the simulator's webhook sender) reaches the function as
 * it would through API Gateway.
 */
public final class LambdaHttpBridge implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LambdaHttpBridge.class);
    private final HttpServer server;
    private final HttpApiEvents.Route route;
    /** Quarkus' test event server runs one invocation at a time; concurrent senders queue here instead. */
    private final ReentrantLock invocations = new ReentrantLock();
    private final AtomicInteger lostAnswers = new AtomicInteger();

    private LambdaHttpBridge(String routeKey) throws IOException {
        this.route = HttpApiEvents.Route.of(routeKey);
        int functionPort = LambdaInvoker.port();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange, routeKey, functionPort);
            } catch (IOException | RuntimeException | Error e) {
                LOG.errorf(e, "bridge failed on %s", exchange.getRequestURI());
                throw e;
            }
        });
        // The test's class loader (Quarkus'): RestAssured, behind LambdaInvoker, loads its services through it.
        ClassLoader testClassLoader = Thread.currentThread().getContextClassLoader();
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "lambda-http-bridge");
            thread.setDaemon(true);
            thread.setContextClassLoader(testClassLoader);
            return thread;
        }));
        server.start();
    }

    private void serve(HttpExchange exchange, String routeKey, int functionPort) throws IOException {
        Optional<Map<String, String>> parameters = route.match(exchange);
        if (parameters.isEmpty()) {
            HttpApiEvents.send(exchange, HttpApiEvents.Answer.notFound());
            return;
        }
        String event = HttpApiEvents.event(exchange, routeKey, parameters.get(), exchange.getRequestBody().readAllBytes());
        String response;
        invocations.lock();
        try {
            response = LambdaInvoker.invoke(functionPort, event);
        } catch (RuntimeException | AssertionError e) {
            // what API Gateway answers when the integration fails
            LOG.errorf(e, "invoking the function for %s failed", exchange.getRequestURI());
            HttpApiEvents.send(exchange, HttpApiEvents.Answer.json(500, "{\"message\":\"Internal Server Error\"}"));
            return;
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
