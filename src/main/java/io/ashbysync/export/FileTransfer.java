package io.ashbysync.export;

import io.ashbysync.ashby.AshbyEndpoint;
import io.ashbysync.ashby.AshbySession;
import io.ashbysync.ashby.model.FileUploadHandle;
import io.ashbysync.command.CommandFailedException;
import io.ashbysync.platform.BoundedDownload;
import io.ashbysync.platform.Deadline;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Moves a file from Findem to Ashby: download from the command's URL (scheme, size and type checked), then Ashby's
 * three steps: {@code file.createFileUploadHandle}, a multipart POST of the bytes to the presigned URL it returns,
 * and the caller's attach call with the handle.
 */
@ApplicationScoped
public class FileTransfer {
    /** A downloaded file, checked and ready to upload. */
    public record Download(String fileName, String contentType, byte[] bytes) {}

    private static final Map<String, String> TYPE_BY_EXTENSION = Map.of(
            "pdf", "application/pdf", "doc", "application/msword",
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "rtf", "application/rtf", "txt", "text/plain", "odt", "application/vnd.oasis.opendocument.text",
            "png", "image/png", "jpg", "image/jpeg", "jpeg", "image/jpeg");

    private final ExportConfig config;
    private final HttpClient http;

    public FileTransfer(ExportConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(config.downloadTimeout()).build();
    }

    /**
     * Downloads and checks one file. Every wait is bounded by {@code download-timeout} and by the invocation's deadline
     * ({@link BoundedDownload}): a server that stalls fails the attempt as a transient error ({@link DownloadStalled};
     * the command is retried), the deadline ends it with {@link Deadline.Exceeded} (retried too); a refused or broken
     * download, or a file that is too large or of the wrong type, fails the command.
     */
    public Download download(ExportRequest.FileRef file) {
        String scheme = file.url().getScheme().toLowerCase(Locale.ROOT);
        if (!config.allowedUrlSchemes().contains(scheme)) {
            throw new CommandFailedException("attachment_url_not_allowed", file.fileName() + ": only " + config.allowedUrlSchemes() + " URLs are accepted");
        }
        try (BoundedDownload response = BoundedDownload.open(http, file.url(), config.downloadTimeout(), "download of " + file.fileName())) {
            if (response.statusCode() / 100 != 2) {
                throw new CommandFailedException("attachment_download_failed", file.fileName() + ": HTTP " + response.statusCode());
            }
            long declared = response.contentLength().orElse(-1);
            if (declared > config.maxFileBytes()) {
                throw tooLarge(file);
            }
            String contentType = contentType(file, response.header("Content-Type").orElse(null));
            if (!config.allowedContentTypes().contains(contentType)) {
                throw new CommandFailedException("attachment_type_not_allowed", file.fileName() + ": type " + contentType + " is not accepted");
            }
            return new Download(file.fileName(), contentType, readAtMost(response.body(), config.maxFileBytes(), file));
        } catch (BoundedDownload.Stalled e) {
            throw new DownloadStalled(e.getMessage());
        } catch (IllegalArgumentException e) {
            // the HTTP client refuses the URL itself (validation catches the known cases): no attempt can succeed
            throw new CommandFailedException("attachment_url_not_allowed", file.fileName() + ": the URL cannot be used: " + e.getMessage());
        } catch (IOException e) {
            throw new CommandFailedException("attachment_download_failed", file.fileName() + ": " + e.getMessage());
        }
    }

    /** The file's server stopped answering: transient, so the command goes back to its queue and is tried again. */
    public static final class DownloadStalled extends RuntimeException {
        public DownloadStalled(String message) {
            super(message);
        }
    }

    /** Uploads to Ashby and returns the handle to attach. {@code context}: CandidateResume or CandidateFiles. */
    public String upload(AshbySession ashby, Download file, String context) {
        FileUploadHandle handle = ashby.call(AshbyEndpoint.FILE_CREATE_UPLOAD_HANDLE, Map.of(
                "fileUploadContext", context, "filename", file.fileName(), "contentType", file.contentType(),
                "contentLength", file.bytes().length), FileUploadHandle.class);
        String boundary = "----ashby-sync-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (handle.fields() != null) {
            handle.fields().forEach((name, value) -> write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                    + name + "\"\r\n\r\n" + value + "\r\n"));
        }
        write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file.fileName().replace("\"", "")
                + "\"\r\nContent-Type: " + file.contentType() + "\r\n\r\n");
        body.writeBytes(file.bytes());
        write(body, "\r\n--" + boundary + "--\r\n");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(java.net.URI.create(handle.url()))
                    .timeout(BoundedDownload.requestTimeout(config.downloadTimeout(), "upload of " + file.fileName()))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("Ashby's file storage answered HTTP " + response.statusCode() + " to the upload of " + file.fileName());
            }
        } catch (IOException e) {
            throw new IllegalStateException("upload of " + file.fileName() + " to Ashby's file storage failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while uploading " + file.fileName(), e);
        }
        return handle.handle();
    }

    private String contentType(ExportRequest.FileRef file, String header) {
        String fromHeader = header == null ? null : header.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (fromHeader != null && !fromHeader.isEmpty() && !fromHeader.equals("application/octet-stream")) return fromHeader;
        if (file.contentType() != null) return file.contentType().toLowerCase(Locale.ROOT);
        int dot = file.fileName().lastIndexOf('.');
        String extension = dot < 0 ? "" : file.fileName().substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPE_BY_EXTENSION.getOrDefault(extension, "application/octet-stream");
    }

    private static byte[] readAtMost(InputStream in, long max, ExportRequest.FileRef file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > max) throw new CommandFailedException("attachment_too_large", file.fileName() + " is larger than " + max + " bytes");
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private CommandFailedException tooLarge(ExportRequest.FileRef file) {
        return new CommandFailedException("attachment_too_large", file.fileName() + " is larger than " + config.maxFileBytes() + " bytes");
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
