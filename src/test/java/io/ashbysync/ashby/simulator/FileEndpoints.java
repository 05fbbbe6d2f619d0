package io.ashbysync.ashby.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * file.createFileUploadHandle (a presigned-POST-like upload target served by the simulator, valid 10 minutes),
 * the upload itself (multipart: the returned fields, then the file part named "file"), and file.info returning a
 * download URL that expires.
 */
final class FileEndpoints {
    static final Duration UPLOAD_URL_LIFETIME = Duration.ofMinutes(10);
    private static final Set<String> CONTEXTS = Set.of("CandidateResume", "CandidateFiles", "ApplicationForm");
    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
    private static final Pattern DISPOSITION_NAME = Pattern.compile("\\bname=\"([^\"]*)\"");
    private static final Pattern DISPOSITION_FILENAME = Pattern.compile("\\bfilename=\"([^\"]*)\"");

    private final AshbySimulator simulator;
    private final Map<String, PendingUpload> uploads = new ConcurrentHashMap<>();
    private final Map<String, Download> downloads = new ConcurrentHashMap<>();

    private record PendingUpload(SimulatedOrganization org, String handle, String fileId, String filename,
                                 String contentType, long contentLength, Map<String, String> fields,
                                 Instant expiresAt) {}

    private record Download(SimulatedOrganization.StoredFile file, Instant expiresAt) {}

    FileEndpoints(AshbySimulator simulator) {
        this.simulator = simulator;
    }

    void register(Endpoint.Registry r) {
        r.add("file.createFileUploadHandle", "candidatesWrite", this::createUploadHandle);
        r.add("file.info", "candidatesRead", this::info);
    }

    private ObjectNode createUploadHandle(Call c) {
        String context = c.requiredString("fileUploadContext");
        if (!CONTEXTS.contains(context)) {
            throw AshbyError.invalidInput("Field 'fileUploadContext' must be one of " + CONTEXTS);
        }
        String filename = c.requiredString("filename");
        String contentType = c.requiredString("contentType");
        Integer length = c.integer("contentLength");
        if (length == null) {
            throw AshbyError.invalidInput("Missing required field 'contentLength'");
        }
        String fileId = Ids.uuid();
        String type = switch (context) {
            case "CandidateResume" -> "ResumeFile";
            case "CandidateFiles" -> "CandidateFile";
            default -> "ApplicationFormFile";
        };
        String handle = handle(type, fileId);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", "uploads/" + fileId + "/" + filename);
        fields.put("Content-Type", contentType);
        fields.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        fields.put("policy", Ids.base64Url(48));
        fields.put("x-amz-signature", Ids.base62(64).toLowerCase());
        String token = Ids.base64Url(24);
        uploads.put(token, new PendingUpload(c.org, handle, fileId, filename, contentType, length, fields,
                c.now().plus(UPLOAD_URL_LIFETIME)));
        ObjectNode results = Json.object();
        results.put("handle", handle);
        results.put("url", simulator.baseUrl() + AshbySimulator.UPLOAD_PATH + token);
        ObjectNode f = results.putObject("fields");
        fields.forEach(f::put);
        return Call.ok(results);
    }

    /** Opaque base64url handle shaped like Ashby's: {"handle":{type,fileId},"signature","version"}. */
    static String handle(String type, String fileId) {
        ObjectNode h = Json.object();
        h.set("handle", Json.object().put("type", type).put("fileId", fileId));
        h.put("signature", Base64.getEncoder().encodeToString(Ids.base64Url(32).getBytes(StandardCharsets.UTF_8)));
        h.put("version", "1");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                Json.write(h).getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode info(Call c) {
        String handle = c.requiredString("fileHandle");
        SimulatedOrganization.StoredFile file = c.org.filesByHandle.get(handle);
        if (file == null) {
            // [inferred] code name; Ashby does not document file.info errors
            throw AshbyError.notFound("file_not_found", "File");
        }
        String token = Ids.base64Url(32);
        downloads.put(token, new Download(file, c.now().plus(simulator.downloadUrlLifetime())));
        return Call.ok(Json.object().put("url", simulator.baseUrl() + AshbySimulator.DOWNLOAD_PATH + token
                + "?X-Amz-Expires=" + simulator.downloadUrlLifetime().toSeconds()));
    }

    /** Uploads and downloads: unauthenticated like presigned S3 URLs, answered in S3's style. */
    void serveStorage(HttpExchange exchange, String path) throws IOException {
        try (exchange) {
            Instant now = simulator.clock().instant();
            if (path.startsWith(AshbySimulator.UPLOAD_PATH)) {
                PendingUpload upload = uploads.get(path.substring(AshbySimulator.UPLOAD_PATH.length()));
                if (upload == null || !"POST".equals(exchange.getRequestMethod())) {
                    s3Error(exchange, 403, "AccessDenied", "Invalid upload URL");
                } else if (now.isAfter(upload.expiresAt)) {
                    s3Error(exchange, 403, "AccessDenied", "Invalid according to Policy: Policy expired.");
                } else {
                    acceptUpload(exchange, upload);
                }
                return;
            }
            String token = path.substring(AshbySimulator.DOWNLOAD_PATH.length());
            Download download = downloads.get(token);
            if (download == null) {
                s3Error(exchange, 403, "AccessDenied", "Access Denied");
            } else if (now.isAfter(download.expiresAt)) {
                s3Error(exchange, 403, "AccessDenied", "Request has expired");
            } else {
                exchange.getResponseHeaders().set("Content-Type", download.file.contentType());
                exchange.sendResponseHeaders(200, download.file.bytes().length == 0 ? -1
                        : download.file.bytes().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(download.file.bytes());
                }
            }
        }
    }

    private void acceptUpload(HttpExchange exchange, PendingUpload upload) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        Matcher m = contentType == null ? null : BOUNDARY.matcher(contentType);
        if (m == null || !contentType.startsWith("multipart/form-data") || !m.find()) {
            s3Error(exchange, 400, "InvalidRequest", "Expected multipart/form-data");
            return;
        }
        Map<String, String> fields = new HashMap<>();
        byte[] fileBytes = null;
        String fileName = null;
        boolean fileLast = false;
        for (Part part : parseMultipart(exchange.getRequestBody().readAllBytes(), m.group(1))) {
            if ("file".equals(part.name)) {
                fileBytes = part.content;
                fileName = part.filename;
                fileLast = true;
            } else {
                fields.put(part.name, new String(part.content, StandardCharsets.UTF_8));
                fileLast = false;
            }
        }
        if (fileBytes == null || !fileLast) {
            s3Error(exchange, 400, "InvalidArgument", "POST requires exactly one file upload per request, "
                    + "sent as the last part and named 'file'");
            return;
        }
        for (Map.Entry<String, String> required : upload.fields.entrySet()) {
            if (!required.getValue().equals(fields.get(required.getKey()))) {
                s3Error(exchange, 403, "AccessDenied",
                        "Invalid according to Policy: Policy Condition failed: " + required.getKey());
                return;
            }
        }
        SimulatedOrganization.StoredFile stored = new SimulatedOrganization.StoredFile(upload.fileId,
                upload.handle, upload.filename != null ? upload.filename : fileName, upload.contentType, fileBytes);
        upload.org.filesByHandle.put(upload.handle, stored);
        exchange.sendResponseHeaders(204, -1);
    }

    private static void s3Error(HttpExchange exchange, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private record Part(String name, String filename, byte[] content) {}

    private static java.util.List<Part> parseMultipart(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        java.util.List<Part> parts = new java.util.ArrayList<>();
        int pos = indexOf(body, delimiter, 0);
        while (pos >= 0) {
            int start = pos + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                break;
            }
            start += 2; // CRLF after the delimiter
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            int next = indexOf(body, delimiter, start);
            if (headersEnd < 0 || next < 0) {
                break;
            }
            String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
            int contentEnd = next - 2; // CRLF before the next delimiter
            byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, Math.max(headersEnd + 4,
                    contentEnd));
            Matcher name = DISPOSITION_NAME.matcher(headers);
            Matcher filename = DISPOSITION_FILENAME.matcher(headers);
            parts.add(new Part(name.find() ? name.group(1) : "", filename.find() ? filename.group(1) : null,
                    content));
            pos = next;
        }
        return parts;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
