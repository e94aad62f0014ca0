package io.backuprelay.format.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.backuprelay.format.BackupFormatException;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.format.json.JsonMappers;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The JSON manifest written beside each archive: what it holds and how to open it. The dump worker
 * writes it; the restore command, the restore drill and the chaos audit read it. Manifests written
 * before a field existed read with it absent (null, or 0), and unknown fields are ignored.
 *
 * @param encryptionRecipients the age recipients the archive is encrypted to (empty when absent)
 * @param tableCount           tables in the inventory (kept for readers of the first manifests)
 * @param inventory            what the database held, checked against the archive when it was written;
 *                             what a restore and the drill compare the restored database with (absent
 *                             from manifests written before it existed, and when only the blob's own
 *                             metadata could be read)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupManifest(
        String backupId,
        String accountId,
        Engine engine,
        String serverVersion,
        String toolVersion,
        DumpFormat format,
        Compression compression,
        Encryption encryption,
        List<String> encryptionRecipients,
        long sizeBytes,
        String sha256,
        Instant startedAt,
        Instant endedAt,
        long tableCount,
        Inventory inventory) {

    private static final ObjectMapper JSON = JsonMappers.standard();

    public BackupManifest {
        encryption = encryption == null ? Encryption.NONE : encryption;
        encryptionRecipients = encryptionRecipients == null ? List.of() : List.copyOf(encryptionRecipients);
    }

    /**
     * What a reader knows of a backup without its manifest (the blob's metadata, or a trusted event):
     * no versions, recipients, times nor inventory.
     */
    public static BackupManifest described(String backupId, String accountId, Engine engine, ArchiveFormat archive,
                                           long sizeBytes, String sha256) {
        return new BackupManifest(backupId, accountId, engine, null, null, archive.format(), archive.compression(),
                archive.encryption(), List.of(), sizeBytes, sha256, null, null, 0, null);
    }

    /**
     * @throws BackupFormatException when the bytes are not a manifest, its message naming what is wrong
     *                               (an unknown compression, say)
     */
    public static BackupManifest parse(byte[] json) {
        try {
            return JSON.readValue(json, BackupManifest.class);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof BackupFormatException format ? format : e;
            throw new BackupFormatException(firstLine(cause.getMessage()), e);
        }
    }

    /** The manifest as it is stored: the same field names manifests have always had. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the manifest of " + backupId, e);
        }
    }

    /** The format, compression and encryption together; null when the manifest lacks one of them. */
    public ArchiveFormat archive() {
        return format == null || compression == null ? null : new ArchiveFormat(format, compression, encryption);
    }

    public boolean encrypted() {
        return encryption.encrypted();
    }

    public boolean postgres() {
        return engine == Engine.POSTGRESQL;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
