package io.ashbysync.outbound;

import io.ashbysync.platform.Sha256;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Claim checks: JSON too large for where it has to go (an SQS message is at most 256 KiB, a DynamoDB item 400 KB) is
 * stored in the files bucket under {@code claims/<tenantId>/<kind>/<id>/<sha256>.json}, and a {@link Ref} travels in
 * its place. The bucket's lifecycle rule removes claims after 14 days (the events queue's retention), the tenant's
 * offboarding removes them at once. The key holds the content's hash, so storing the same content again (a retry, a
 * redelivery) writes the same object.
 *
 * <p>Findem reads a claim through the presigned {@code url} (valid for {@code ashby-sync.claims.url-validity}, and
 * no longer than the function's credentials), or with GetObject on {@code bucket}/{@code key} where the stack grants
 * Findem's principal read access to {@code claims/*} (template parameter {@code FindemReaderArn}); {@code sha256}
 * verifies what it read.
 */
@ApplicationScoped
public class ClaimCheck {
    public static final String PREFIX = "claims/";

    /** Where a claimed JSON document is, and how to check it. */
    public record Ref(String bucket, String key, long size, String sha256, String url, Instant urlExpiresAt) {}

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final Duration urlValidity;
    private final Clock clock = Clock.systemUTC();

    public ClaimCheck(S3Client s3, S3Presigner presigner,
                      @ConfigProperty(name = "ashby-sync.poller.files-bucket") String bucket,
                      @ConfigProperty(name = "ashby-sync.claims.url-validity", defaultValue = "6h") Duration urlValidity) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.urlValidity = urlValidity;
    }

    /** @param kind what it is ({@code events}, {@code results}); {@code id} what it belongs to (an event, a command) */
    public Ref store(String tenantId, String kind, String id, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        String sha256 = sha256(bytes);
        String key = PREFIX + tenantId + "/" + kind + "/" + safe(id) + "/" + sha256 + ".json";
        s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/json"), RequestBody.fromBytes(bytes));
        Instant expiresAt = clock.instant().plus(urlValidity);
        String url = presigner.presignGetObject(r -> r.signatureDuration(urlValidity).getObjectRequest(g -> g.bucket(bucket).key(key)))
                .url().toString();
        return new Ref(bucket, key, bytes.length, sha256, url, expiresAt);
    }

    /** The claimed JSON, checked against its hash (a claim is never edited: a mismatch is corruption, not news). */
    public String load(Ref ref) {
        byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(ref.bucket()).key(ref.key())).asByteArray();
        if (!sha256(bytes).equals(ref.sha256())) {
            throw new IllegalStateException("claim " + ref.key() + " does not match its sha256");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Ids become one path segment: ids are ours or Ashby's (UUIDs, colons), anything else is replaced. */
    private static String safe(String id) {
        return id.replaceAll("[^A-Za-z0-9._:=-]", "_");
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.digest(bytes));
    }
}
