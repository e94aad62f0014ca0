package io.backuprelay.format.blob;

import io.backuprelay.format.archive.ArchiveFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Where a backup goes inside the container:
 * {@code {path}/{accountId}/{yyyy}/{MM}/{accountId}-{UTC timestamp}-{backupId}.{ext}}. The name
 * derives from the backup alone (its id and the slot it stands for, never when a request was
 * emitted), so a repeated request, a redone dump or a redone upload all write the same blob. The
 * upload writes there, retention and the restore command look there: all through
 * {@link #accountFolder}.
 */
public final class BlobNames {

    /**
     * Newest backup first, by name: names carry the slot's UTC time after the account id, so in one
     * account's folder the greatest name is the newest backup.
     */
    public static final Comparator<String> NEWEST_FIRST = Comparator.<String>naturalOrder().reversed();

    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy/MM").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String EXTENSION = "\\.(dump|sql)(\\.zst|\\.gz)?(\\.age)?";

    private BlobNames() {
    }

    /** The blob of backup {@code backupId} of the slot {@code slotAt}, under the container's {@code path}. */
    public static String blobName(String path, String accountId, Instant slotAt, String backupId, ArchiveFormat archive) {
        return accountFolder(path, accountId) + MONTH.format(slotAt) + "/" + accountId + "-" + STAMP.format(slotAt) + "-"
                + backupId + "." + archive.extension();
    }

    /**
     * The folder holding all of an account's backups, ending with {@code /}: where the upload writes,
     * and where retention and the restore command look. The container's path is taken as a person
     * types it: surrounding spaces, backslashes and leading or trailing slashes do not change it.
     */
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
        return rest.matches("\\d{4}/\\d{2}/" + Pattern.quote(accountId) + "-\\d{8}T\\d{6}Z-" + Pattern.quote(backupId)
                + EXTENSION);
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
