package io.ashbysync.mirror;

import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.FileUrl;
import io.ashbysync.poll.PollerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Copies a candidate's file from Ashby to S3: {@code file.info} for a presigned URL (which expires, so it is used at
 * once and never stored), download, put under {@code tenants/<tenantId>/candidates/<candidateId>/<fileId>}.
 */
@ApplicationScoped
public class FileCopier {
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(60);

    private final S3Client s3;
    private final PollerConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    public FileCopier(S3Client s3, PollerConfig config) {
        this.s3 = s3;
        this.config = config;
    }

    /** Where a stored file lives and what it is. */
    public record StoredFile(String bucket, String key, long size, String sha256) {}

    public StoredFile copy(AshbySession ashby, String candidateId, String fileId, String fileName, String handle) {
        String url = ashby.call(AshbyEndpoint.FILE_INFO, Map.of("fileHandle", handle), FileUrl.class).url();
        byte[] bytes = download(url, fileId);
        String key = objectKey(ashby.tenantId(), candidateId, fileId);
        s3.putObject(r -> r.bucket(config.filesBucket()).key(key)
                .metadata(Map.of("file-name", asciiOnly(fileName), "ashby-file-id", fileId)), RequestBody.fromBytes(bytes));
        return new StoredFile(config.filesBucket(), key, bytes.length, sha256(bytes));
    }

    public void delete(String key) {
        s3.deleteObject(r -> r.bucket(config.filesBucket()).key(key));
    }

    public static String objectKey(String tenantId, String candidateId, String fileId) {
        return "tenants/" + tenantId + "/candidates/" + candidateId + "/" + fileId;
    }

    private byte[] download(String url, String fileId) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(DOWNLOAD_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new FileCopyException("download of file " + fileId + " answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new FileCopyException("download of file " + fileId + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FileCopyException("download of file " + fileId + " was interrupted");
        }
    }

    /** S3 user metadata travels as HTTP headers: ASCII only. */
    private static String asciiOnly(String name) {
        return name == null ? "" : name.replaceAll("[^\\x20-\\x7e]", "_");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }

    /** A file could not be copied; the work item is retried (a fresh file.info gives a fresh URL). */
    public static final class FileCopyException extends RuntimeException {
        public FileCopyException(String message) {
            super(message);
        }
    }
}
