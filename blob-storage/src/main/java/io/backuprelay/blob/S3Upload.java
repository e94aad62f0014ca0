package io.backuprelay.blob;

import io.backuprelay.blob.BlobStore.Protection;
import io.backuprelay.blob.BlobStore.StoredBlob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.Set;
import java.util.zip.CRC32C;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * One object written to S3 ({@link S3Store#put}): in parts of 8 MiB, streamed with one part in memory, each part
 * checked by the service against its CRC-64/NVME (CRC32C where the service refuses that one); a part already at
 * the service from an earlier, unfinished try of the same content is not sent again; then the object is read
 * back and kept only if its size and SHA-256 are the ones given.
 */
final class S3Upload {

    static final int PART_SIZE = 8 << 20;
    private static final Set<String> REFUSED_ALGORITHM = Set.of("InvalidRequest", "InvalidArgument", "NotImplemented");

    private final S3Store store;
    private final S3Client s3;
    private final String name;
    private final Map<String, String> metadata;
    private final Optional<Protection> protection;

    S3Upload(S3Store store, String name, Map<String, String> metadata, Optional<Protection> protection) {
        this.store = store;
        this.s3 = store.client();
        this.name = name;
        this.metadata = metadata == null ? Map.of() : metadata;
        this.protection = protection;
    }

    /** A part's checksum, as the service takes it (big-endian, base64). */
    enum Checksum {
        CRC64NVME(ChecksumAlgorithm.CRC64_NVME), CRC32C(ChecksumAlgorithm.CRC32_C);

        final ChecksumAlgorithm algorithm;

        Checksum(ChecksumAlgorithm algorithm) {
            this.algorithm = algorithm;
        }

        String of(byte[] bytes, int length) {
            ByteBuffer value = this == CRC64NVME
                    ? ByteBuffer.allocate(8).putLong(new Crc64Nvme().update(bytes, 0, length).value())
                    : ByteBuffer.allocate(4).putInt((int) crc32c(bytes, length));
            return Base64.getEncoder().encodeToString(value.array());
        }

        String storedIn(Part part) {
            return this == CRC64NVME ? part.checksumCRC64NVME() : part.checksumCRC32C();
        }

        private static long crc32c(byte[] bytes, int length) {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, length);
            return crc.getValue();
        }
    }

    StoredBlob put(InputStream content, long sizeBytes, String sha256) throws BlobTransferException {
        MessageDigest digest = digest("SHA-256");
        byte[] buffer = new byte[PART_SIZE];
        int read = read(content, buffer);
        try {
            if (read < PART_SIZE) {
                digest.update(buffer, 0, read);
                requireAnnounced(read, digest, sizeBytes, sha256, null);
                byte[] whole = new byte[read];
                System.arraycopy(buffer, 0, whole, 0, read);
                putWhole(store, name, whole, metadata, protection);
            } else {
                multipart(content, buffer, read, digest, sizeBytes, sha256);
            }
            protection.ifPresent(this::ensureProtection);
        } catch (SdkException e) {
            throw S3Errors.transfer(store.bucket(), "the upload of " + name, e);
        } catch (EndpointPolicy.EndpointRefusedException e) {
            throw BlobTransferException.of("The upload of " + name + " was not sent: the endpoint is not allowed ("
                    + e.getMessage() + ").", false);
        }
        return verified(sizeBytes, sha256);
    }

    private void multipart(InputStream content, byte[] buffer, int first, MessageDigest digest, long sizeBytes,
                           String sha256) throws BlobTransferException {
        Unfinished unfinished = unfinished().orElseGet(this::create);
        List<CompletedPart> parts = new ArrayList<>();
        long total = 0;
        int read = first;
        for (int number = 1; read > 0; number++) {
            digest.update(buffer, 0, read);
            total += read;
            parts.add(part(unfinished, number, buffer, read));
            read = read(content, buffer);
        }
        requireAnnounced(total, digest, sizeBytes, sha256, unfinished.uploadId());
        s3.completeMultipartUpload(b -> b.bucket(store.bucket()).key(name).uploadId(unfinished.uploadId())
                .multipartUpload(m -> m.parts(parts)));
    }

    /** An upload of this key begun and not completed, with the parts it has and how they were checked. */
    private record Unfinished(String uploadId, Checksum checksum, Map<Integer, Part> parts) {
    }

    /** The newest unfinished upload of exactly this key, if the service has one. */
    private Optional<Unfinished> unfinished() {
        Optional<MultipartUpload> newest;
        try {
            newest = s3.listMultipartUploadsPaginator(b -> b.bucket(store.bucket()).prefix(name)).stream()
                    .flatMap(page -> page.uploads().stream()).filter(u -> u.key().equals(name))
                    .max(Comparator.comparing(MultipartUpload::initiated));
        } catch (AwsServiceException e) {
            if (e.statusCode() == 501) {
                return Optional.empty(); // a service that cannot list them: start anew
            }
            throw e;
        }
        return newest.map(upload -> {
            Map<Integer, Part> parts = new HashMap<>();
            Checksum checksum = Checksum.CRC64NVME;
            for (ListPartsResponse page : s3.listPartsPaginator(b -> b.bucket(store.bucket()).key(name)
                    .uploadId(upload.uploadId()))) {
                if (page.checksumAlgorithm() == ChecksumAlgorithm.CRC32_C) {
                    checksum = Checksum.CRC32C;
                }
                page.parts().forEach(part -> parts.put(part.partNumber(), part));
            }
            return new Unfinished(upload.uploadId(), checksum, parts);
        });
    }

    private Unfinished create() {
        try {
            return new Unfinished(create(Checksum.CRC64NVME), Checksum.CRC64NVME, Map.of());
        } catch (AwsServiceException e) {
            if (e.statusCode() >= 500 || !REFUSED_ALGORITHM.contains(S3Errors.code(e))) {
                throw e;
            }
            return new Unfinished(create(Checksum.CRC32C), Checksum.CRC32C, Map.of());
        }
    }

    private String create(Checksum checksum) {
        CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder().bucket(store.bucket())
                .key(name).metadata(metadata).contentType("application/octet-stream")
                .checksumAlgorithm(checksum.algorithm);
        lock(protection, request::objectLockMode, request::objectLockRetainUntilDate,
                request::objectLockLegalHoldStatus);
        return s3.createMultipartUpload(request.build()).uploadId();
    }

    /** Sends one part, unless the service already holds these very bytes under its number. */
    private CompletedPart part(Unfinished upload, int number, byte[] buffer, int length) {
        Checksum checksum = upload.checksum();
        String value = checksum.of(buffer, length);
        Part stored = upload.parts().get(number);
        String etag;
        if (stored != null && sameBytes(stored, checksum, value, buffer, length)) {
            etag = stored.eTag();
        } else {
            etag = s3.uploadPart(b -> {
                b.bucket(store.bucket()).key(name).uploadId(upload.uploadId()).partNumber(number)
                        .contentLength((long) length).checksumAlgorithm(checksum.algorithm);
                if (checksum == Checksum.CRC64NVME) {
                    b.checksumCRC64NVME(value);
                } else {
                    b.checksumCRC32C(value);
                }
            }, RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, length), length)).eTag();
            store.partSent().accept(number);
        }
        CompletedPart.Builder part = CompletedPart.builder().partNumber(number).eTag(etag);
        return (checksum == Checksum.CRC64NVME ? part.checksumCRC64NVME(value) : part.checksumCRC32C(value)).build();
    }

    /**
     * Whether the stored part holds these bytes: by its checksum where the service lists it, else (a service
     * that lists none) by its ETag, the MD5 of the part's bytes for an unencrypted part.
     */
    private static boolean sameBytes(Part stored, Checksum checksum, String value, byte[] buffer, int length) {
        if (stored.size() == null || stored.size() != length) {
            return false;
        }
        String listed = checksum.storedIn(stored);
        if (listed != null) {
            return listed.equals(value);
        }
        MessageDigest md5 = digest("MD5");
        md5.update(buffer, 0, length);
        return stored.eTag() != null
                && stored.eTag().replace("\"", "").equalsIgnoreCase(HexFormat.of().formatHex(md5.digest()));
    }

    /** Writes a small object whole with one request, checked by the service against its checksum. */
    static void putWhole(S3Store store, String name, byte[] content, Map<String, String> metadata,
                         Optional<Protection> protection) {
        try {
            putWhole(store, name, content, metadata, protection, Checksum.CRC64NVME);
        } catch (AwsServiceException e) {
            if (e.statusCode() >= 500 || !REFUSED_ALGORITHM.contains(S3Errors.code(e))) {
                throw e;
            }
            putWhole(store, name, content, metadata, protection, Checksum.CRC32C);
        }
    }

    private static void putWhole(S3Store store, String name, byte[] content, Map<String, String> metadata,
                                 Optional<Protection> protection, Checksum checksum) {
        String value = checksum.of(content, content.length);
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(store.bucket()).key(name)
                .metadata(metadata == null ? Map.of() : metadata).contentType("application/octet-stream")
                .checksumAlgorithm(checksum.algorithm);
        if (checksum == Checksum.CRC64NVME) {
            request.checksumCRC64NVME(value);
        } else {
            request.checksumCRC32C(value);
        }
        lock(protection, request::objectLockMode, request::objectLockRetainUntilDate,
                request::objectLockLegalHoldStatus);
        store.client().putObject(request.build(), RequestBody.fromBytes(content));
    }

    /** Object Lock as the protection asks, on whichever request writes the object (the SDK's builders share no type). */
    private static void lock(Optional<Protection> protection, Consumer<ObjectLockMode> mode, Consumer<Instant> until,
                             Consumer<ObjectLockLegalHoldStatus> hold) {
        protection.ifPresent(p -> {
            if (p.retainUntil() != null) {
                mode.accept(p.locked() ? ObjectLockMode.COMPLIANCE : ObjectLockMode.GOVERNANCE);
                until.accept(p.retainUntil());
            }
            if (p.legalHold()) {
                hold.accept(ObjectLockLegalHoldStatus.ON);
            }
        });
    }

    /**
     * Sets the protection asked for when the object does not show it: a service may ignore Object Lock's headers
     * on a write (S3Mock does), and a backup asked to be immutable must not be left deletable unnoticed.
     */
    private void ensureProtection(Protection wanted) {
        Protection found = store.find(name).map(StoredBlob::protection).orElse(null);
        if (found == null) {
            found = store.lockOf(name);
        }
        if (wanted.retainUntil() != null && (found == null || found.retainUntil() == null)) {
            s3.putObjectRetention(b -> b.bucket(store.bucket()).key(name).retention(r -> r
                    .mode(wanted.locked() ? ObjectLockMode.COMPLIANCE.toString() : ObjectLockMode.GOVERNANCE.toString())
                    .retainUntilDate(wanted.retainUntil())));
        }
        if (wanted.legalHold() && (found == null || !found.legalHold())) {
            s3.putObjectLegalHold(b -> b.bucket(store.bucket()).key(name).legalHold(h -> h.status(
                    ObjectLockLegalHoldStatus.ON)));
        }
    }

    /** Refuses content other than announced before it becomes an object (the parts sent are discarded). */
    private void requireAnnounced(long bytes, MessageDigest digest, long sizeBytes, String sha256, String uploadId)
            throws BlobTransferException {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (bytes == sizeBytes && actual.equalsIgnoreCase(sha256)) {
            return;
        }
        if (uploadId != null) {
            s3.abortMultipartUpload(b -> b.bucket(store.bucket()).key(name).uploadId(uploadId));
        }
        throw BlobTransferException.of("The content read for " + name + " is " + bytes + " bytes of SHA-256 " + actual
                + ", not the " + sizeBytes + " bytes of SHA-256 " + sha256 + " announced; nothing was stored.", false);
    }

    /** Reads the object back; keeps it only if it has the size and SHA-256 given. */
    private StoredBlob verified(long sizeBytes, String sha256) throws BlobTransferException {
        BlobStore.ReadBack back;
        try {
            back = store.readBack(name);
        } catch (IOException | SdkException e) {
            throw BlobTransferException.of("The object " + name + " could not be read back from bucket '"
                    + store.bucket() + "' to check it: " + e.getClass().getSimpleName(), true);
        }
        long bytes = back.sizeBytes();
        String actual = back.sha256();
        if (!back.is(sizeBytes, sha256)) {
            String kept = "";
            try {
                store.delete(name);
            } catch (RuntimeException e) {
                kept = " It could not be deleted (" + e.getMessage() + ").";
            }
            throw BlobTransferException.of("The object " + name + " read back from bucket '" + store.bucket() + "' is "
                    + bytes + " bytes of SHA-256 " + actual + ", not the " + sizeBytes + " bytes of SHA-256 " + sha256
                    + " written." + (kept.isEmpty() ? " It was deleted." : kept), false);
        }
        return store.find(name).orElseThrow(() -> BlobTransferException.of("The object " + name
                + " went from bucket '" + store.bucket() + "' right after it was written", true));
    }

    private int read(InputStream content, byte[] buffer) throws BlobTransferException {
        try {
            return content.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            throw BlobTransferException.of("Reading the content for " + name + " failed: " + e.getMessage()
                    + " (the parts sent are kept, and not sent again by the next try)", true);
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
        }
    }
}
