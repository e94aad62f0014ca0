package io.backuprelay.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One S3-compatible bucket, in this project's terms: objects found, listed, read, written, deleted and linked
 * by their full key (the connection's prefix folder included, as blob names are under Azure). Built by
 * {@link BlobAccess#store} on a client {@link S3Clients} keeps.
 */
public final class S3Store implements BlobStore {

    private static final int LINK_MAX_DAYS = 7; // SigV4 presigned URLs live at most a week

    private final S3Client s3;
    private final S3Clients.Pair clients;
    private final String bucket;
    private final String region;
    /** Told the number of each part sent (not of a part kept from an earlier try): for tests. */
    private volatile IntConsumer partSent = part -> { };

    S3Store(S3Clients.Pair clients, String bucket, String region) {
        this.clients = clients;
        this.s3 = clients.client();
        this.bucket = bucket;
        this.region = region;
    }

    /** The bucket's name. */
    public String bucket() {
        return bucket;
    }

    S3Client client() {
        return s3;
    }

    void onPartSent(IntConsumer listener) {
        this.partSent = listener;
    }

    IntConsumer partSent() {
        return partSent;
    }

    @Override
    public void createContainerIfMissing() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (AwsServiceException e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            try {
                s3.createBucket(b -> {
                    b.bucket(bucket);
                    if (!"us-east-1".equals(region)) {
                        b.createBucketConfiguration(c -> c.locationConstraint(region));
                    }
                });
            } catch (BucketAlreadyOwnedByYouException raced) {
                // made meanwhile: what was asked for
            }
        }
    }

    @Override
    public Optional<StoredBlob> find(String name) {
        try {
            return Optional.of(stored(name, s3.headObject(b -> b.bucket(bucket).key(name))));
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static StoredBlob stored(String name, HeadObjectResponse head) {
        return new StoredBlob(name, head.contentLength(), head.lastModified(),
                head.metadata() == null ? Map.of() : Map.copyOf(head.metadata()), head.eTag(), protection(head));
    }

    /** What the HEAD answer says keeps the object; null when nothing does. */
    private static Protection protection(HeadObjectResponse head) {
        boolean hold = head.objectLockLegalHoldStatus() == ObjectLockLegalHoldStatus.ON;
        if (head.objectLockMode() == null && !hold) {
            return null;
        }
        return new Protection(head.objectLockRetainUntilDate(), head.objectLockMode() == ObjectLockMode.COMPLIANCE,
                hold);
    }

    /**
     * The objects under {@code prefix}, each with its metadata from its own HEAD request: a listing of S3 carries
     * none, and restore and retention need it. An object deleted between the two is left out.
     */
    @Override
    public Listing listing(String prefix) {
        List<StoredBlob> blobs = new ArrayList<>();
        Instant serviceTime = null;
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))) {
            serviceTime = date(page).orElse(serviceTime);
            for (S3Object object : page.contents()) {
                find(object.key()).ifPresent(blobs::add);
            }
        }
        return new Listing(blobs, Optional.ofNullable(serviceTime));
    }

    private static Optional<Instant> date(ListObjectsV2Response page) {
        return page.sdkHttpResponse().firstMatchingHeader("Date").flatMap(value -> {
            try {
                return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public InputStream read(String name) {
        return s3.getObject(b -> b.bucket(bucket).key(name));
    }

    @Override
    public Optional<byte[]> readSmall(String name, int maxBytes) {
        try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(name).range("bytes=0-" + maxBytes))) {
            return Optional.of(in.readNBytes(maxBytes + 1));
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            if (e.statusCode() == 416) {
                return Optional.of(new byte[0]); // an empty object has no first byte to range over
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<byte[]> readSmall(String name) {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(name)).asByteArray());
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void putSmall(String name, byte[] content, Map<String, String> metadata) {
        S3Upload.putWhole(this, name, content, metadata, Optional.empty());
    }

    @Override
    public StoredBlob put(String name, InputStream content, long sizeBytes, String sha256, Map<String, String> metadata,
                          Optional<Protection> protection) throws BlobTransferException {
        return new S3Upload(this, name, metadata, protection).put(content, sizeBytes, sha256);
    }

    @Override
    public String url(String name) {
        return s3.utilities().getUrl(b -> b.bucket(bucket).key(name)).toExternalForm();
    }

    /**
     * Deletes every version of exactly this key (or the object, in a bucket without versions), unless Object Lock
     * keeps it: then nothing is tried. Its protection is asked of the lock API too when the HEAD answer names none,
     * since not every S3-compatible service reports it there.
     */
    @Override
    public boolean delete(String name) {
        Optional<StoredBlob> found = find(name);
        if (found.isEmpty()) {
            return false;
        }
        Protection protection = found.get().protection() != null ? found.get().protection() : lockOf(name);
        if (protection != null && protection.keeps(Instant.now())) {
            throw new ProtectedBlobException(name, protection, null);
        }
        try {
            List<String> versions = versionsOf(name);
            if (versions.isEmpty()) {
                s3.deleteObject(b -> b.bucket(bucket).key(name));
            }
            for (String version : versions) {
                s3.deleteObject(b -> b.bucket(bucket).key(name).versionId(version));
            }
            return true;
        } catch (AwsServiceException e) {
            if ("ObjectLocked".equals(S3Errors.code(e)) || e.statusCode() == 403 && refusedForALock(e, name)) {
                throw new ProtectedBlobException(name, protection, e);
            }
            throw e; // a key that may not delete: said as such, not as a lock
        }
    }

    /** A 403 that AWS words as Object Lock's ("…protected by object lock"), or over a version still locked now. */
    private boolean refusedForALock(AwsServiceException e, String name) {
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        if (message != null && message.toLowerCase(Locale.ROOT).contains("object lock")) {
            return true;
        }
        Protection now = lockOf(name);
        return now != null && now.keeps(Instant.now());
    }

    /** The versions and delete markers of exactly this key; empty in a bucket that keeps no versions. */
    private List<String> versionsOf(String name) {
        List<String> versions = new ArrayList<>();
        try {
            for (ListObjectVersionsResponse page : s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(name))) {
                page.versions().stream().filter(v -> v.key().equals(name)).map(v -> v.versionId())
                        .filter(S3Store::real).forEach(versions::add);
                page.deleteMarkers().stream().filter(m -> m.key().equals(name)).map(m -> m.versionId())
                        .filter(S3Store::real).forEach(versions::add);
            }
        } catch (AwsServiceException e) {
            if (e.statusCode() != 501 && e.statusCode() != 405) {
                throw e;
            }
            return List.of(); // a service without versions
        }
        return versions;
    }

    private static boolean real(String versionId) {
        return versionId != null && !versionId.isEmpty() && !"null".equals(versionId);
    }

    /** The object's retention and legal hold as the lock API tells them; null when neither keeps it or none answers. */
    Protection lockOf(String name) {
        ObjectLockRetention retention = null;
        boolean hold = false;
        try {
            retention = s3.getObjectRetention(b -> b.bucket(bucket).key(name)).retention();
        } catch (AwsServiceException e) {
            // no retention, or a bucket without Object Lock
        }
        try {
            hold = s3.getObjectLegalHold(b -> b.bucket(bucket).key(name)).legalHold().status()
                    == ObjectLockLegalHoldStatus.ON;
        } catch (AwsServiceException e) {
            // no legal hold, or a bucket without Object Lock
        }
        if (retention != null && (retention.modeAsString() == null || retention.retainUntilDate() == null)) {
            retention = null; // a hold alone
        }
        if (retention == null && !hold) {
            return null;
        }
        return new Protection(retention == null ? null : retention.retainUntilDate(),
                retention != null && "COMPLIANCE".equals(retention.modeAsString()), hold);
    }

    /**
     * Whether Object Lock is enabled on the bucket; empty with no answer (a service without the call, or a key
     * that may not ask).
     */
    Optional<Boolean> objectLockEnabled() {
        try {
            var configuration = s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration();
            return Optional.of(configuration != null && "Enabled".equals(configuration.objectLockEnabledAsString()));
        } catch (AwsServiceException e) {
            // AWS: 404 ObjectLockConfigurationNotFoundError; S3Mock: 400 InvalidRequest "Bucket is missing Object Lock…"
            String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            if ("ObjectLockConfigurationNotFoundError".equals(S3Errors.code(e)) || e.statusCode() == 404
                    || message != null && message.contains("Object Lock Configuration")) {
                return Optional.of(false);
            }
            return Optional.empty();
        }
    }

    /** A presigned GET of this object alone, for {@code validity} (at most 7 days, SigV4's limit). */
    @Override
    public Link link(String name, Duration validity) {
        if (validity.compareTo(Duration.ofDays(LINK_MAX_DAYS)) > 0) {
            return new Link(Optional.empty(), null, "an S3 link lives at most " + LINK_MAX_DAYS + " days");
        }
        try {
            var presigned = clients.presigner().presignGetObject(r -> r.signatureDuration(validity)
                    .getObjectRequest(g -> g.bucket(bucket).key(name)));
            return new Link(Optional.of(presigned.url().toExternalForm()), presigned.expiration(), null);
        } catch (SdkException e) {
            return new Link(Optional.empty(), null, "no link could be signed: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "S3Store[" + bucket + "]";
    }
}
