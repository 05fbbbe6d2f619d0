package io.ashbysync.platform;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP GET whose every wait is bounded: the wait for the response headers by the request timeout, each wait for
 * more of the body by the idle timeout, and all of them by the invocation's {@link Deadline}.
 *
 * <p>Why not the usual tools: {@link HttpClient}'s request timeout stops counting once the headers are in, so a body
 * that stalls blocks its reader forever; {@code HttpURLConnection}'s read timeout is fixed when it connects (changing
 * it later does not reach the socket, and {@code disconnect()} does not wake a blocked read), so a body that trickles
 * a byte just within it outlives any deadline. Here the body arrives as a publisher of buffers that are pulled one at
 * a time into a queue, and each pull waits at most min(idle timeout, time left before the deadline): a stall ends in
 * {@link Stalled} (the server stopped sending), or in {@link Deadline.Exceeded} (the invocation's time ran out first;
 * the work is retried). At most one batch of buffers (a few tens of KB) is held at once. {@link #close} cancels the
 * exchange, which drops the connection instead of draining it.
 */
public final class BoundedDownload implements AutoCloseable {
    private final HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
    private final Duration idleTimeout;
    private final String what;
    private Body body;

    private BoundedDownload(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response, Duration idleTimeout, String what) {
        this.response = response;
        this.idleTimeout = idleTimeout;
        this.what = what;
    }

    /**
     * Sends the GET and waits for the response headers.
     *
     * @param timeout how long to wait for the headers, and for each further part of the body
     * @param what    what is downloaded, for the errors (e.g. {@code download of file <id>})
     * @throws Stalled           the headers did not come within {@code timeout}
     * @throws Deadline.Exceeded the invocation's time ran out first
     * @throws IOException       the exchange failed (refused, reset, TLS)
     */
    public static BoundedDownload open(HttpClient http, URI url, Duration timeout, String what) throws IOException {
        Duration wait = requestTimeout(timeout, what);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(wait).GET().build();
        try {
            return new BoundedDownload(http.send(request, HttpResponse.BodyHandlers.ofPublisher()), timeout, what);
        } catch (HttpTimeoutException e) {
            throw timedOut(wait, timeout, what, "no response");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " was interrupted", e);
        }
    }

    /**
     * {@code configured} shortened to the time left before the deadline, for an {@link HttpRequest}'s timeout (which
     * must be positive).
     *
     * @throws Deadline.Exceeded no time is left
     */
    public static Duration requestTimeout(Duration configured, String what) {
        Deadline.check(what);
        Duration wait = Deadline.cap(configured);
        if (wait.isZero() || wait.isNegative()) throw exceeded(what);
        return wait;
    }

    public int statusCode() {
        return response.statusCode();
    }

    /** The declared length of the body, when the response has a {@code Content-Length}. */
    public OptionalLong contentLength() {
        return response.headers().firstValueAsLong("Content-Length");
    }

    public Optional<String> header(String name) {
        return response.headers().firstValue(name);
    }

    /** The body, read at most once; each read waits at most the idle timeout and never past the deadline. */
    public InputStream body() {
        if (body == null) {
            body = new Body();
            response.body().subscribe(body);
        }
        return body;
    }

    /** Cancels the exchange when the body was not read to its end (the connection is dropped, not drained). */
    @Override
    public void close() {
        if (body == null) {
            // an unread body must still be subscribed to, and cancelled, or the connection is never released
            response.body().subscribe(new Flow.Subscriber<>() {
                @Override public void onSubscribe(Flow.Subscription s) { s.cancel(); }
                @Override public void onNext(List<ByteBuffer> item) {}
                @Override public void onError(Throwable t) {}
                @Override public void onComplete() {}
            });
        } else {
            body.close();
        }
    }

    /** The server stopped sending (no headers, or no more of the body) for the idle timeout. */
    public static final class Stalled extends IOException {
        public Stalled(String message) {
            super(message);
        }
    }

    private static RuntimeException exceeded(String what) {
        return new Deadline.Exceeded(what + " could finish", Deadline.current().orElse(Instant.now()));
    }

    /**
     * A wait that ran out: {@link Stalled} to throw, unless the deadline had cut it shorter than the configured
     * timeout, in which case {@link Deadline.Exceeded} is thrown here.
     */
    private static IOException timedOut(Duration waited, Duration configured, String what, String nothing) {
        if (waited.compareTo(configured) < 0) throw exceeded(what);
        return new Stalled(what + " stalled: " + nothing + " for " + configured.toSeconds() + " s");
    }

    private final class Body extends InputStream implements Flow.Subscriber<List<ByteBuffer>> {
        private static final Object END = new Object();
        private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;
        private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
        private ByteBuffer current;
        private boolean ended;
        private volatile boolean closed;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (closed) s.cancel();
            else s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            arrived.add(item);
        }

        @Override
        public void onError(Throwable failure) {
            arrived.add(failure);
        }

        @Override
        public void onComplete() {
            arrived.add(END);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (closed) throw new IOException(what + ": the body was closed");
            if (length == 0) return 0;
            while (current == null || !current.hasRemaining()) {
                if (buffers.hasNext()) {
                    current = buffers.next();
                } else if (ended || !pull()) {
                    return -1;
                }
            }
            int n = Math.min(length, current.remaining());
            current.get(into, offset, n);
            return n;
        }

        /** Waits for the next batch of buffers; false at the end of the body. */
        @SuppressWarnings("unchecked")
        private boolean pull() throws IOException {
            Duration wait = Deadline.cap(idleTimeout);
            if (wait.isZero() || wait.isNegative()) throw exceeded(what);
            Object next;
            try {
                next = arrived.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(what + " was interrupted", e);
            }
            if (next == null) throw timedOut(wait, idleTimeout, what, "no data");
            if (next == END) {
                ended = true;
                return false;
            }
            if (next instanceof Throwable failure) {
                ended = true;
                throw failure instanceof IOException io ? io : new IOException(what + " failed: " + failure.getMessage(), failure);
            }
            buffers = ((List<ByteBuffer>) next).iterator();
            subscription.request(1);
            return true;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            Flow.Subscription s = subscription;
            if (!ended && s != null) s.cancel();
        }
    }
}
