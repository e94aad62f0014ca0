package io.backuprelay.common.event;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where a backup goes inside the container:
 * {@code {path}/{accountId}/{yyyy}/{MM}/{accountId}-{UTC timestamp}-{backupId}.{ext}}. The name
 * derives from the backup alone (its id and the slot it stands for, never when a request was emitted),
 * so a repeated request, a redone dump or a redone upload all write the same blob.
 */
public final class BlobNaming {

    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy/MM").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private BlobNaming() {
    }

    public static String blobName(String path, DumpReady dump) {
        return blobName(path, dump.accountId(), dump.slotAt(), dump.backupId(),
                extension(dump.format(), dump.compression(), dump.encryption()));
    }

    /** The same blob, named from the announcement of the dump that will fill it. */
    public static String blobName(String path, DumpStarted dump) {
        return blobName(path, dump.accountId(), dump.slotAt(), dump.backupId(),
                extension(dump.format(), dump.compression(), dump.encryption()));
    }

    private static String blobName(String path, String accountId, java.time.Instant slotAt, String backupId,
                                   String extension) {
        String folder = normalize(path);
        String name = accountId + "/" + MONTH.format(slotAt) + "/" + accountId + "-" + STAMP.format(slotAt) + "-"
                + backupId + "." + extension;
        return folder.isEmpty() ? name : folder + "/" + name;
    }

    /** The folder holding all of an account's backups: where retention looks, and nowhere else. */
    public static String accountFolder(String path, String accountId) {
        String folder = normalize(path);
        return (folder.isEmpty() ? "" : folder + "/") + accountId + "/";
    }

    /**
     * Whether {@code blobName} is where this account's backup {@code backupId} would be kept under
     * {@code path}: in the account's folder, with a file name of the account, a timestamp and the
     * backup's id. A record that names any other blob (a writer to {@code backup.status} could)
     * gets no link signed for it.
     */
    public static boolean isBackupOf(String blobName, String path, String accountId, String backupId) {
        String folder = accountFolder(path, accountId);
        if (blobName == null || blobName.contains("..") || !blobName.startsWith(folder)) {
            return false;
        }
        String rest = blobName.substring(folder.length());
        return rest.matches("\\d{4}/\\d{2}/" + java.util.regex.Pattern.quote(accountId) + "-\\d{8}T\\d{6}Z-"
                + java.util.regex.Pattern.quote(backupId) + "\\.(dump|sql)(\\.zst|\\.gz)?(\\.age)?");
    }

    private static String extension(String format, String compression, String encryption) {
        String base = switch (format) {
            case "pg_dump-custom" -> "dump";
            default -> "sql";
        };
        String compressed = switch (compression) {
            case "zstd" -> base + ".zst";
            case "gzip" -> base + ".gz";
            default -> base;
        };
        return "none".equals(encryption) ? compressed : compressed + ".age";
    }

    private static String normalize(String path) {
        if (path == null) {
            return "";
        }
        String trimmed = path.strip().replace('\\', '/');
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
