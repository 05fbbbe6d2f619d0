package io.ashbysync.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Serves files as Findem's file links would, on loopback, for export tests. */
public final class FileServer implements AutoCloseable {
    private record Served(String contentType, byte[] bytes) {}

    private final HttpServer server;
    private final Map<String, Served> files = new ConcurrentHashMap<>();

    public FileServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            Served file = files.get(exchange.getRequestURI().getPath());
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.getResponseHeaders().set("Content-Type", file.contentType());
                exchange.sendResponseHeaders(200, file.bytes().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(file.bytes());
                }
            }
            exchange.close();
        });
        server.start();
    }

    public URI serve(String path, String contentType, byte[] bytes) {
        files.put(path, new Served(contentType, bytes));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
