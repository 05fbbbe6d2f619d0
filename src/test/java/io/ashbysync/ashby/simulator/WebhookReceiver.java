package io.ashbysync.ashby.simulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

/** A local endpoint that receives webhooks and answers with scripted statuses (default 200). */
final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
    final Queue<Map<String, String>> received = new ConcurrentLinkedQueue<>();
    volatile int defaultStatus = 200;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Map<String, String> r = new ConcurrentHashMap<>();
            r.put("body", body);
            String sig = exchange.getRequestHeaders().getFirst("Ashby-Signature");
            if (sig != null) {
                r.put("signature", sig);
            }
            r.put("contentType", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            received.add(r);
            Integer s = statuses.poll();
            exchange.sendResponseHeaders(s == null ? defaultStatus : s, -1);
            exchange.close();
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    void answer(int... scripted) {
        for (int s : scripted) {
            statuses.add(s);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
