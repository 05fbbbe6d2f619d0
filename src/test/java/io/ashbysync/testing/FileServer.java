package io.ashbysync.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves files as Findem's file links (or the storage behind Ashby's download URLs) would, on loopback: whole, in
 * chunks without a declared length, or stalling part-way through the body.
 */
public final class FileServer implements AutoCloseable {
    private enum Mode { WHOLE, CHUNKED, STALL }

    private record Served(String contentType, byte[] bytes, Mode mode, long declaredLength) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Served> files = new ConcurrentHashMap<>();
    /** Stalled responses wait on this until the server closes. */
    private final CountDownLatch closing = new CountDownLatch(1);

    public FileServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // one thread per exchange, so a stalled response holds up no other
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            Served file = files.get(exchange.getRequestURI().getPath());
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.getResponseHeaders().set("Content-Type", file.contentType());
                switch (file.mode()) {
                    case WHOLE -> exchange.sendResponseHeaders(200, file.bytes().length);
                    case CHUNKED -> exchange.sendResponseHeaders(200, 0);
                    case STALL -> exchange.sendResponseHeaders(200, file.declaredLength());
                }
                OutputStream out = exchange.getResponseBody();
                out.write(file.bytes());
                out.flush();
                if (file.mode() == Mode.STALL) {
                    try {
                        closing.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else {
                    out.close();
                }
            }
            exchange.close();
        });
        server.start();
    }

    public URI serve(String path, String contentType, byte[] bytes) {
        return put(path, new Served(contentType, bytes, Mode.WHOLE, bytes.length));
    }

    /** Served with {@code Transfer-Encoding: chunked}: no {@code Content-Length}, the length is known at the end only. */
    public URI serveChunked(String path, String contentType, byte[] bytes) {
        return put(path, new Served(contentType, bytes, Mode.CHUNKED, 0));
    }

    /**
     * Sends the headers (declaring {@code declaredLength} bytes) and {@code firstBytes}, then nothing more until the
     * server is closed: a download that stalls part-way.
     */
    public URI stallAfter(String path, String contentType, byte[] firstBytes, long declaredLength) {
        return put(path, new Served(contentType, firstBytes, Mode.STALL, declaredLength));
    }

    private URI put(String path, Served served) {
        files.put(path, served);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
