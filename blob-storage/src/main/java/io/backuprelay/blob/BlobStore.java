package io.backuprelay.blob;

import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.format.manifest.ManifestNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One connection's place for backups, whatever the service: an Azure container ({@link AzureBlobStore}) or an
 * S3-compatible bucket under a prefix ({@code S3Store}). Blobs (objects) are found, listed, read, written,
 * deleted and linked by name; a name is the same under either kind. Built by {@link BlobAccess#store}, under
 * the service's endpoint policy.
 */
public interface BlobStore {

    /** Creates the container (bucket) when it is not there (the demo's own emulator, tests). */
    void createContainerIfMissing();

    /** The blob's properties, metadata and protection; empty when there is no blob of that name. */
    Optional<StoredBlob> find(String name);

    /** The blobs whose names start with {@code prefix}, with their metadata, in name order. */
    default List<StoredBlob> list(String prefix) {
        return listing(prefix).blobs();
    }

    /** As {@link #list}, with the service's time of its last answer. */
    Listing listing(String prefix);

    /** The blob's bytes, streamed as they arrive. */
    InputStream read(String name);

    /**
     * The first {@code maxBytes + 1} bytes of a small blob (a manifest); empty when there is none. A
     * longer answer than {@code maxBytes} tells the caller the blob is larger than it accepts, without
     * reading it all.
     */
    Optional<byte[]> readSmall(String name, int maxBytes);

    /** A small blob (a manifest) whole; empty when there is none. */
    Optional<byte[]> readSmall(String name);

    /** Writes a small blob whole, replacing one of the same name. */
    void putSmall(String name, byte[] content, Map<String, String> metadata);

    /**
     * Streams {@code content} into a new blob of that name, each part checked by the service on arrival, kept
     * under {@code protection} when one is given; then reads the blob back, and keeps it only if its size and
     * SHA-256 are the ones given. A part already at the service from an earlier try of the same content is not
     * sent again, where the service can tell.
     *
     * @throws BlobTransferException with its kind (transient, permanent, or refused by an immutability policy)
     */
    StoredBlob put(String name, InputStream content, long sizeBytes, String sha256, Map<String, String> metadata,
                   Optional<Protection> protection) throws BlobTransferException;

    /** The blob's address, without any credential. */
    String url(String name);

    /** The blob's bytes as the service gives them back now: how many, and their SHA-256. */
    default ReadBack readBack(String name) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        long size;
        try (InputStream in = new DigestInputStream(read(name), digest)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        }
        return new ReadBack(size, HexFormat.of().formatHex(digest.digest()));
    }

    /**
     * Deletes the blob (and, where the service keeps versions, its versions).
     *
     * @return whether there was a blob to delete
     * @throws ProtectedBlobException when an immutability policy or legal hold keeps it
     */
    boolean delete(String name);

    /** A link that can only read this blob, for {@code validity}; empty with the reason when none can be made. */
    Link link(String name, Duration validity);

    /**
     * The link to give for a stored backup: {@link #link} to its blob, carrying a link, signed alike,
     * to the manifest beside it ({@link ManifestLink}), so that {@code restore --blob-url} with this
     * link alone compares what it restored with the backup's inventory. It expires with the blob's.
     */
    default Link backupLink(String blobName, Duration validity) {
        Link blob = link(blobName, validity);
        Optional<String> manifest = blob.url().isEmpty() ? Optional.empty()
                : link(ManifestNames.ofBlob(blobName), validity).url();
        return manifest.isEmpty() ? blob
                : new Link(Optional.of(new ManifestLink(blob.url().get(), manifest.get()).url()), blob.expiresAt(), null);
    }

    /**
     * A stored blob as listing or finding it tells.
     *
     * @param etag       its version, for a write that may replace only this one; null where not read
     * @param protection what keeps it from deletion; null when nothing does or it was not read (a listing)
     */
    record StoredBlob(String name, long sizeBytes, Instant lastModified, Map<String, String> metadata, String etag,
                      Protection protection) {

        public StoredBlob(String name, long sizeBytes, Instant lastModified, Map<String, String> metadata) {
            this(name, sizeBytes, lastModified, metadata, null, null);
        }

        public StoredBlob(String name, long sizeBytes, Instant lastModified, Map<String, String> metadata,
                          String etag) {
            this(name, sizeBytes, lastModified, metadata, etag, null);
        }

        /** Whether something keeps the blob from deletion at {@code now}. */
        public boolean protectedAt(Instant now) {
            return protection != null && protection.keeps(now);
        }
    }

    /**
     * What keeps a blob from deletion or overwriting.
     *
     * @param retainUntil until when (Azure: the immutability policy's expiry; S3: Object Lock's retain-until date);
     *                    null when only a legal hold keeps it
     * @param locked      Azure "Locked" / S3 "COMPLIANCE": no one can shorten it; otherwise Azure "Unlocked" / S3
     *                    "GOVERNANCE"
     * @param legalHold   kept until the hold is lifted, whatever the date
     */
    record Protection(Instant retainUntil, boolean locked, boolean legalHold) {

        public boolean keeps(Instant now) {
            return legalHold || (retainUntil != null && retainUntil.isAfter(now));
        }
    }

    /** A blob as read back: its size and the SHA-256 of its bytes, in lowercase hex. */
    record ReadBack(long sizeBytes, String sha256) {

        /** Whether these are the bytes announced: that size and SHA-256. */
        public boolean is(long expectedSize, String expectedSha256) {
            return sizeBytes == expectedSize && sha256.equalsIgnoreCase(expectedSha256);
        }
    }

    /**
     * A listing, and the storage service's own time when it answered (its {@code Date} header), for
     * what must be judged by the service's clock rather than this machine's.
     */
    record Listing(List<StoredBlob> blobs, Optional<Instant> serviceTime) {
    }

    /**
     * @param url       the link, when one could be made
     * @param expiresAt when it stops working, if known
     * @param refusal   why there is none
     */
    record Link(Optional<String> url, Instant expiresAt, String refusal) {
    }

    /** A delete the service refused because an immutability policy or a legal hold keeps the blob. */
    final class ProtectedBlobException extends RuntimeException {

        private final transient Protection protection;

        public ProtectedBlobException(String name, Protection protection, Throwable cause) {
            super("The blob " + name + " is kept by its immutability policy"
                    + (protection == null || protection.retainUntil() == null ? ""
                    : " until " + protection.retainUntil()) + (protection != null && protection.legalHold()
                    ? " and a legal hold" : ""), cause);
            this.protection = protection;
        }

        /** What keeps it, when the service said. */
        public Optional<Protection> protection() {
            return Optional.ofNullable(protection);
        }
    }
}
