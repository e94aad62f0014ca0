package io.backuprelay.blob.retention;

import io.backuprelay.common.account.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which stored backups a retention policy removes: beyond the newest {@code keepLast}, or older than
 * {@code maxAgeDays}; never the backup that just succeeded. Plain logic, no Azure in here.
 *
 * <p>Age is judged by two clocks that must agree: this machine's and the storage service's. A backup
 * is too old only if it is by the earlier of the two, so a local clock that jumps ahead (a year, by a
 * bad NTP answer or a VM restored from a snapshot) deletes nothing the storage's clock calls young.
 */
public final class RetentionRules {

    private RetentionRules() {
    }

    /** A backup this system stored: its blob and when it was made. */
    public record StoredBackup(String blobName, String backupId, Instant createdAt) {
    }

    /**
     * @param localNow   this machine's clock
     * @param storageNow the storage service's clock; empty when it cannot be told, and then no backup is
     *                   deleted for its age (only beyond {@code keepLast})
     */
    public static List<StoredBackup> toDelete(List<StoredBackup> stored, Retention policy, String newestBackupId,
                                              Instant localNow, Optional<Instant> storageNow) {
        Instant now = storageNow.map(storage -> agreedNow(localNow, storage)).orElse(null);
        return toDelete(stored, policy, newestBackupId, now);
    }

    /** The earlier of the two clocks: a backup counts as old only when both say it is. */
    public static Instant agreedNow(Instant localNow, Instant storageNow) {
        return localNow.isBefore(storageNow) ? localNow : storageNow;
    }

    /** @param now the time both clocks agree on; null when unknown (nothing is deleted for its age) */
    public static List<StoredBackup> toDelete(List<StoredBackup> stored, Retention policy, String newestBackupId, Instant now) {
        if (policy == null || policy.keepLast() == null && policy.maxAgeDays() == null) {
            return List.of();
        }
        List<StoredBackup> newestFirst = new ArrayList<>(stored);
        newestFirst.sort(Comparator.comparing(StoredBackup::createdAt).reversed());
        List<StoredBackup> delete = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            StoredBackup backup = newestFirst.get(i);
            if (backup.backupId().equals(newestBackupId)) {
                continue;
            }
            boolean beyondCount = policy.keepLast() != null && i >= policy.keepLast();
            boolean tooOld = policy.maxAgeDays() != null && now != null
                    && Duration.between(backup.createdAt(), now).compareTo(Duration.ofDays(policy.maxAgeDays())) > 0;
            if (beyondCount || tooOld) {
                delete.add(backup);
            }
        }
        return delete;
    }
}
