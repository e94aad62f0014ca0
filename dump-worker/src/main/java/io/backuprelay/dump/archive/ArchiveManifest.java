package io.backuprelay.dump.archive;

import java.time.Instant;
import java.util.List;

/** The JSON manifest written beside each archive: what it holds and how to open it. */
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
        long tableCount) {

    /** Beside the attempt's archive {@code {backupId}.{token}.archive}: {@code {backupId}.{token}.manifest.json}. */
    public static String fileName(String archiveFileName) {
        return archiveFileName.replaceFirst("\\.archive$", "") + ".manifest.json";
    }
}
