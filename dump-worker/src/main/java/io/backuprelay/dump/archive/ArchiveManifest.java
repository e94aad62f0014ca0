package io.backuprelay.dump.archive;

import io.backuprelay.format.inventory.Inventory;
import java.time.Instant;
import java.util.List;

/**
 * The JSON manifest written beside each archive: what it holds and how to open it.
 *
 * @param tableCount tables in the inventory (kept for readers of the first manifests)
 * @param inventory  what the database held, checked against the archive when it was written; what a
 *                   restore and the drill compare the restored database with
 */
public record ArchiveManifest(
        String backupId,
        String accountId,
        String engine,
        String serverVersion,
        String toolVersion,
        String format,
        String compression,
        String encryption,
        List<String> encryptionRecipients,
        long sizeBytes,
        String sha256,
        Instant startedAt,
        Instant endedAt,
        long tableCount,
        Inventory inventory) {

    /** Beside the attempt's archive {@code {backupId}.{token}.archive}: {@code {backupId}.{token}.manifest.json}. */
    public static String fileName(String archiveFileName) {
        return archiveFileName.replaceFirst("\\.archive$", "") + ".manifest.json";
    }
}
