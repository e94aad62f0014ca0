package io.backuprelay.format.blob;

import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The metadata on every blob this system writes: what the backup is and how to read it, and that
 * backuprelay wrote it. Retention and the restore command rely on it to touch only backups of
 * their own; a restore from a blob link alone reads the archive's format from it.
 *
 * @param requestedAt when the backup was requested: retention orders backups by it (null on blobs written
 *                    before it was kept)
 */
public record BlobMetadata(String backupId, String accountId, String sha256, Engine engine, ArchiveFormat archive,
                           Instant requestedAt) {

    public static final String BACKUP_ID = "backupid";
    public static final String ACCOUNT_ID = "accountid";
    public static final String SHA256 = "sha256";
    public static final String ENGINE = "engine";
    public static final String FORMAT = "format";
    public static final String COMPRESSION = "compression";
    public static final String ENCRYPTION = "encryption";
    public static final String WRITTEN_BY = "writtenby";
    /** When the backup was requested (ISO-8601): retention orders backups by it. */
    public static final String REQUESTED_AT = "requestedat";
    /** The value of {@link #WRITTEN_BY} on every blob this system writes. */
    public static final String WRITER = "backuprelay";
    /** How the metadata travels in HTTP headers: {@code x-ms-meta-{name}}. */
    public static final String HEADER_PREFIX = "x-ms-meta-";

    /** The metadata to store with the blob, {@link #WRITTEN_BY} included. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(BACKUP_ID, backupId);
        map.put(ACCOUNT_ID, accountId);
        map.put(SHA256, sha256);
        map.put(ENGINE, engine.label());
        map.put(FORMAT, archive.format().label());
        map.put(COMPRESSION, archive.compression().label());
        map.put(ENCRYPTION, archive.encryption().label());
        if (requestedAt != null) {
            map.put(REQUESTED_AT, requestedAt.toString());
        }
        map.put(WRITTEN_BY, WRITER);
        return map;
    }

    /**
     * The metadata of a blob, when backuprelay wrote it with its SHA-256 and format.
     *
     * @throws io.backuprelay.format.BackupFormatException when it names a format word this version does not know
     */
    public static Optional<BlobMetadata> read(Map<String, String> metadata) {
        if (!writtenByUs(metadata) || metadata.get(SHA256) == null || metadata.get(FORMAT) == null
                || metadata.get(COMPRESSION) == null || metadata.get(ENGINE) == null) {
            return Optional.empty();
        }
        String encryption = metadata.get(ENCRYPTION);
        ArchiveFormat archive = new ArchiveFormat(DumpFormat.of(metadata.get(FORMAT)),
                Compression.of(metadata.get(COMPRESSION)), encryption == null ? Encryption.NONE : Encryption.of(encryption));
        String requestedAt = metadata.get(REQUESTED_AT);
        return Optional.of(new BlobMetadata(metadata.get(BACKUP_ID), metadata.get(ACCOUNT_ID), metadata.get(SHA256),
                Engine.of(metadata.get(ENGINE)), archive, requestedAt == null ? null : Instant.parse(requestedAt)));
    }

    /** Whether backuprelay wrote the blob with this metadata: only such blobs are listed, restored or expired. */
    public static boolean writtenByUs(Map<String, String> metadata) {
        return WRITER.equals(metadata.get(WRITTEN_BY));
    }

    /** Whether the blob is a backup of this account that backuprelay wrote (not a manifest, not a stranger's file). */
    public static boolean isBackupOfAccount(Map<String, String> metadata, String accountId) {
        return writtenByUs(metadata) && accountId.equals(metadata.get(ACCOUNT_ID)) && metadata.get(BACKUP_ID) != null;
    }

    /** When the backup was requested, as its metadata says; empty on blobs written before it was kept. */
    public static Optional<Instant> requestedAt(Map<String, String> metadata) {
        return Optional.ofNullable(metadata.get(REQUESTED_AT)).map(Instant::parse);
    }
}
