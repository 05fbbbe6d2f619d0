package io.ashbysync.mirror;

import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbyException;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.FileUrl;
import io.ashbysync.platform.BoundedDownload;
import io.ashbysync.platform.Deadline;
import io.ashbysync.platform.Sha256;
import io.ashbysync.poll.PollerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Copies a candidate's file from Ashby to S3: {@code file.info} for a presigned URL (which expires, so it is used at
 * once and never stored), download, put under {@code tenants/<tenantId>/candidates/<candidateId>/<fileId>}.
 *
 * <p><b>Memory stays flat.</b> The commands function runs up to 100 work items side by side in 1 GB, so no file is
 * ever held whole in memory: the download streams straight into the S3 put, its SHA-256 and size computed on the way.
 * With a {@code Content-Length} (S3, which serves Ashby's files, always sends one) the put streams with that length;
 * the SDK keeps at most 128 KB of it to replay on a retry, so a copy costs about 200 KB whatever the file's size.
 * Without one the length is known only at the end, and a put needs it first: the body is spooled to a temporary file
 * under {@code /tmp} (never in memory) and put from there. Not a multipart upload: its parts are at least 5 MB each and
 * held in memory, 500 MB for 100 items, and a crash leaves incomplete uploads behind. Spooling is rare, and disk is
 * bounded too: at most {@link #SPOOL_BUDGET_BYTES} (half of Lambda's default 512 MB {@code /tmp}; template.yaml sets
 * no more) divided by the size cap spool at once, and the others wait their turn (within the deadline).
 *
 * <p><b>A size cap</b> ({@code ashby-sync.poller.max-file-bytes}), checked against {@code Content-Length} before any
 * byte is read, and while reading when there is none: a larger file is not copied ({@link TooLarge}).
 *
 * <p><b>Bounded in time.</b> Every wait of the download (headers, each part of the body) stops at the invocation's
 * deadline ({@link BoundedDownload}): a download that stalls ends with {@link Deadline.Exceeded} or
 * {@link FileCopyException}, both transient, and the work item is retried with a fresh URL.
 */
@ApplicationScoped
public class FileCopier {
    /** The longest wait for any one part of a download (the headers, the next part of the body). */
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(60);
    /** Room under {@code /tmp} for bodies without a declared length, spooled before they are put. */
    static final long SPOOL_BUDGET_BYTES = 256L * 1024 * 1024;

    private final S3Client s3;
    private final PollerConfig config;
    private final Semaphore spools;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NORMAL).build();

    public FileCopier(S3Client s3, PollerConfig config) {
        this.s3 = s3;
        this.config = config;
        this.spools = new Semaphore((int) Math.max(1, Math.min(64, SPOOL_BUDGET_BYTES / Math.max(1, config.maxFileBytes()))));
    }

    /** What came of a copy. */
    public sealed interface Copy permits StoredFile, TooLarge {}

    /** Where a stored file lives and what it is. */
    public record StoredFile(String bucket, String key, long size, String sha256) implements Copy {}

    /**
     * Not copied: larger than {@code maxBytes}.
     *
     * @param size the file's size when it was declared, else null (the download stopped at the cap)
     */
    public record TooLarge(Long size, long maxBytes) implements Copy {}

    /**
     * Copies one file.
     *
     * @throws AshbyException     {@code file.info} failed (malformed, refused, or transient: the caller decides)
     * @throws FileCopyException  the download failed or stalled (transient: retried with a fresh URL)
     * @throws Deadline.Exceeded  the invocation's time ran out first (transient)
     */
    public Copy copy(AshbySession ashby, String candidateId, String fileId, String fileName, String handle) {
        Deadline.check("file.info of file " + fileId);
        String url = ashby.call(AshbyEndpoint.FILE_INFO, Map.of("fileHandle", handle), FileUrl.class).url();
        URI uri = downloadUrl(url);
        String what = "download of file " + fileId;
        String key = objectKey(ashby.tenantId(), candidateId, fileId);
        Map<String, String> metadata = Map.of("file-name", asciiOnly(fileName), "ashby-file-id", fileId);
        try (BoundedDownload download = BoundedDownload.open(http, uri, DOWNLOAD_TIMEOUT, what)) {
            if (download.statusCode() != 200) {
                throw new FileCopyException(what + " answered HTTP " + download.statusCode());
            }
            long declared = download.contentLength().orElse(-1);
            if (declared > config.maxFileBytes()) return new TooLarge(declared, config.maxFileBytes());
            if (declared >= 0) return streamed(download.body(), declared, key, metadata, what);
            return spooled(download.body(), key, metadata, what);
        } catch (BoundedDownload.Stalled e) {
            throw new FileCopyException(e.getMessage());
        } catch (IOException e) {
            throw new FileCopyException(what + " failed: " + e.getMessage());
        }
    }

    /** {@code file.info}'s URL, which must be an absolute http(s) URL: anything else is a malformed answer. */
    private static URI downloadUrl(String url) {
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                throw new IllegalArgumentException("not an absolute http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new AshbyException.MalformedResponse(AshbyEndpoint.FILE_INFO.path(), "'url' is not a download URL: " + e.getMessage(),
                    null, 200, e);
        }
    }

    /** The body put as it arrives, with its declared length. */
    private Copy streamed(InputStream body, long length, String key, Map<String, String> metadata, String what) throws IOException {
        Measured measured = new Measured(body, config.maxFileBytes());
        // buffered above the digest: the SDK marks the stream (128 KB) and a put it retries replays the buffer, so the
        // digest sees each byte once; a retry from further on fails the put, and the work item is retried
        InputStream replayable = new BufferedInputStream(measured, 64 * 1024);
        put(key, metadata, RequestBody.fromInputStream(replayable, length), what);
        if (measured.count() != length) throw new FileCopyException(what + " ended after " + measured.count() + " of " + length + " bytes");
        return new StoredFile(config.filesBucket(), key, length, measured.sha256());
    }

    /** A body of unknown length: to a temporary file first (the cap enforced while writing), then put from there. */
    private Copy spooled(InputStream body, String key, Map<String, String> metadata, String what) throws IOException {
        acquireSpool(what);
        Path spool = null;
        try {
            spool = Files.createTempFile("ashby-sync-file-", ".part");
            Measured measured = new Measured(body, config.maxFileBytes());
            try (OutputStream out = Files.newOutputStream(spool)) {
                measured.transferTo(out);
            } catch (OverCap e) {
                return new TooLarge(null, config.maxFileBytes());
            }
            put(key, metadata, RequestBody.fromFile(spool), what);
            return new StoredFile(config.filesBucket(), key, measured.count(), measured.sha256());
        } finally {
            if (spool != null) Files.deleteIfExists(spool);
            spools.release();
        }
    }

    private void acquireSpool(String what) {
        Duration wait = Deadline.remaining(DOWNLOAD_TIMEOUT);
        try {
            if (spools.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FileCopyException(what + " was interrupted");
        }
        Deadline.check(what + " (waiting for room to spool it)");
        throw new FileCopyException(what + ": no room to spool it for " + wait.toSeconds() + " s");
    }

    private void put(String key, Map<String, String> metadata, RequestBody body, String what) {
        try {
            s3.putObject(r -> r.bucket(config.filesBucket()).key(key).metadata(metadata), body);
        } catch (SdkException e) {
            // the SDK wraps what the download threw while it read the body: the download's failure, not S3's
            for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
                if (t instanceof Deadline.Exceeded exceeded) throw exceeded;
                if (t instanceof BoundedDownload.Stalled stalled) throw new FileCopyException(stalled.getMessage());
            }
            throw e;
        }
    }

    public void delete(String key) {
        // files that were never stored (skipped, unavailable) have no key
        if (key == null || key.isEmpty()) return;
        s3.deleteObject(r -> r.bucket(config.filesBucket()).key(key));
    }

    public static String objectKey(String tenantId, String candidateId, String fileId) {
        return "tenants/" + tenantId + "/candidates/" + candidateId + "/" + fileId;
    }

    /** S3 user metadata travels as HTTP headers: ASCII only. */
    private static String asciiOnly(String name) {
        return name == null ? "" : name.replaceAll("[^\\x20-\\x7e]", "_");
    }

    /** The body read through: counted, hashed, and stopped past the cap. */
    private static final class Measured extends FilterInputStream {
        private final MessageDigest digest;
        private final long cap;
        private long count;

        Measured(InputStream in, long cap) {
            super(in);
            this.cap = cap;
            this.digest = Sha256.newDigest();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (count > cap) throw new OverCap(cap);
                digest.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) {
            throw new UnsupportedOperationException("a measured body is read, not skipped");
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        long count() {
            return count;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /** The body went past the cap while it was read. */
    private static final class OverCap extends IOException {
        OverCap(long cap) {
            super("larger than " + cap + " bytes");
        }
    }

    /** A file could not be copied; the work item is retried (a fresh file.info gives a fresh URL). */
    public static final class FileCopyException extends RuntimeException {
        public FileCopyException(String message) {
            super(message);
        }
    }
}
