package io.backuprelay.upload.retention;

import io.backuprelay.common.account.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which stored backups a retention policy removes: beyond the newest {@code keepLast}, or older than
 * {@code maxAgeDays}; never the backup that just succeeded. Plain logic, no Azure in here.
 */
public final class RetentionRules {

    private RetentionRules() {
    }

    /** A backup this system stored: its blob and when it was made. */
    public record StoredBackup(String blobName, String backupId, Instant createdAt) {
    }

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
            boolean tooOld = policy.maxAgeDays() != null
                    && Duration.between(backup.createdAt(), now).compareTo(Duration.ofDays(policy.maxAgeDays())) > 0;
            if (beyondCount || tooOld) {
                delete.add(backup);
            }
        }
        return delete;
    }
}
