package io.ashbysync.export;

import com.fasterxml.jackson.databind.JsonNode;
import io.ashbysync.command.InvalidCommandException;
import io.ashbysync.command.PayloadReader;
import io.ashbysync.identity.IdentityKeys;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The payload of {@code candidate.export}, validated field by field (see the README for the JSON schema).
 *
 * @param mode {@code application} (at {@code stageId} or the plan's first pre-interview-screen stage), {@code lead}
 *             (the job's first Lead stage) or {@code prospect} (no application; optionally into {@code projectId})
 */
public record ExportRequest(
        String findemProfileId,
        Mode mode,
        String jobId,
        String stageId,
        String projectId,
        CandidateFields candidate,
        String sourceId,
        String creditedToUserId,
        List<Note> notes,
        List<String> tags,
        FileRef resume,
        List<FileRef> attachments,
        List<FieldValue> candidateCustomFields,
        List<FieldValue> applicationCustomFields) {

    public enum Mode { APPLICATION, LEAD, PROSPECT }

    public record CandidateFields(String name, List<String> emails, List<String> phoneNumbers, String linkedInUrl,
                                  String githubUrl, String websiteUrl, Location location) {}

    public record Location(String city, String region, String country) {}

    /** @param key stable per note within the export (Findem's note id, else its position), to resume after a crash */
    public record Note(String key, String content, boolean html) {}

    public record FileRef(URI url, String fileName, String contentType) {}

    public record FieldValue(String fieldId, JsonNode value) {}

    static final int MAX_NOTES = 50;
    static final int MAX_TAGS = 50;
    static final int MAX_ATTACHMENTS = 10;
    static final int MAX_FIELDS = 100;

    public static ExportRequest parse(PayloadReader payload) {
        String profileId = payload.requiredText("findemProfileId");
        Mode mode = switch (payload.requiredText("mode")) {
            case "application" -> Mode.APPLICATION;
            case "lead" -> Mode.LEAD;
            case "prospect" -> Mode.PROSPECT;
            default -> throw new InvalidCommandException(payload.path("mode"), "must be one of application, lead, prospect");
        };
        Optional<String> jobId = payload.optionalUuid("jobId");
        Optional<String> stageId = payload.optionalUuid("stageId");
        Optional<String> projectId = payload.optionalUuid("projectId");
        if (mode != Mode.PROSPECT && jobId.isEmpty()) {
            throw new InvalidCommandException(payload.path("jobId"), "is required for mode " + mode.name().toLowerCase());
        }
        if (mode == Mode.PROSPECT && jobId.isPresent()) {
            throw new InvalidCommandException(payload.path("jobId"), "must not be given for mode prospect");
        }
        if (mode != Mode.APPLICATION && stageId.isPresent()) {
            throw new InvalidCommandException(payload.path("stageId"), "is only allowed for mode application");
        }
        if (mode != Mode.PROSPECT && projectId.isPresent()) {
            throw new InvalidCommandException(payload.path("projectId"), "is only allowed for mode prospect");
        }
        PayloadReader candidate = payload.requiredObject("candidate");
        List<String> emails = candidate.list("emails", 10, e -> {
            String email = e.text();
            if (IdentityKeys.email(email).isEmpty() || !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                throw new InvalidCommandException(e.currentPath(), "is not an email address");
            }
            return email;
        });
        String linkedIn = candidate.optionalText("linkedInUrl").orElse(null);
        if (linkedIn != null && IdentityKeys.linkedIn(linkedIn).isEmpty()) {
            throw new InvalidCommandException(candidate.path("linkedInUrl"), "is not a LinkedIn profile URL");
        }
        Location location = candidate.optionalObject("location").map(l -> new Location(l.optionalText("city").orElse(null),
                l.optionalText("region").orElse(null), l.optionalText("country").orElse(null))).orElse(null);
        CandidateFields fields = new CandidateFields(candidate.requiredText("name"), emails,
                candidate.list("phoneNumbers", 10, PayloadReader::text), linkedIn,
                candidate.optionalText("githubUrl").orElse(null), candidate.optionalText("websiteUrl").orElse(null), location);

        List<Note> parsedNotes = new ArrayList<>();
        List<PayloadReader> noteReaders = payload.list("notes", MAX_NOTES, PayloadReader::asObject);
        for (int i = 0; i < noteReaders.size(); i++) {
            PayloadReader n = noteReaders.get(i);
            String format = n.optionalText("format").orElse("text");
            if (!format.equals("text") && !format.equals("html")) {
                throw new InvalidCommandException(n.path("format"), "must be text or html");
            }
            parsedNotes.add(new Note(n.optionalText("id").orElse("#" + i), n.requiredText("content"), format.equals("html")));
        }
        return new ExportRequest(profileId, mode, jobId.orElse(null), stageId.orElse(null), projectId.orElse(null), fields,
                payload.optionalUuid("sourceId").orElse(null), payload.optionalUuid("creditedToUserId").orElse(null),
                parsedNotes,
                payload.list("tags", MAX_TAGS, PayloadReader::text).stream().distinct().toList(),
                payload.optionalObject("resume").map(ExportRequest::fileRef).orElse(null),
                payload.list("attachments", MAX_ATTACHMENTS, f -> fileRef(f.asObject())),
                payload.list("candidateCustomFields", MAX_FIELDS, ExportRequest::fieldValue),
                payload.list("applicationCustomFields", MAX_FIELDS, ExportRequest::fieldValue));
    }

    /**
     * A file to take from Findem. The URL must be usable as it is (absolute, a host, a port in range), so one that
     * cannot be is refused here, before anything is written, instead of failing every download attempt; its scheme is
     * checked against {@code ashby-sync.export.allowed-url-schemes} by {@link FileTransfer}. The file name goes into
     * Ashby's upload (a multipart header) and the candidate's file list: a plain name, no path separators and no
     * control characters (CR or LF there would end the header early).
     */
    private static FileRef fileRef(PayloadReader file) {
        String url = file.requiredText("url");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidCommandException(file.path("url"), "is not a URL");
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidCommandException(file.path("url"), "is not an absolute URL with a host");
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65_535)) {
            throw new InvalidCommandException(file.path("url"), "has port " + uri.getPort() + ", outside 1-65535");
        }
        String fileName = file.requiredText("fileName");
        if (fileName.contains("/") || fileName.contains("\\") || fileName.length() > 255) {
            throw new InvalidCommandException(file.path("fileName"), "must be a plain file name of at most 255 characters");
        }
        if (fileName.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidCommandException(file.path("fileName"), "must not contain control characters (such as CR or LF)");
        }
        return new FileRef(uri, fileName, file.optionalText("contentType").orElse(null));
    }

    private static FieldValue fieldValue(PayloadReader field) {
        field.asObject();
        return new FieldValue(field.requiredUuid("fieldId"), field.raw("value"));
    }
}
