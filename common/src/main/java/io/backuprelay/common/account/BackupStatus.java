package io.backuprelay.common.account;

import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What is known of an account's backups (topic {@code backup.status}, kept by the scheduler).
 *
 * @param lastSuccessAt  when the last successful backup ended; {@code null} means "Never"
 * @param lastOutcome    how the most recent backup ended, if any has
 * @param inFlight       the backup running now, if any
 * @param recent         the latest outcomes, newest first
 */
public record BackupStatus(
        String accountId,
        Instant lastSuccessAt,
        String lastSuccessBackupId,
        OutcomeSummary lastOutcome,
        InFlight inFlight,
        List<OutcomeSummary> recent) {

    public static final int RECENT_LIMIT = 20;

    public BackupStatus {
        Objects.requireNonNull(accountId, "accountId");
        recent = recent == null ? List.of() : List.copyOf(recent);
    }

    public static BackupStatus empty(String accountId) {
        return new BackupStatus(accountId, null, null, null, null, List.of());
    }

    /** The backup that is running. */
    public record InFlight(String backupId, Trigger trigger, Instant requestedAt) {
    }

    /**
     * How one backup ended.
     *
     * @param failedStage {@code null} when it succeeded
     */
    public record OutcomeSummary(
            String backupId,
            boolean succeeded,
            Trigger trigger,
            Instant endedAt,
            Long sizeBytes,
            String blobName,
            FailureStage failedStage,
            String failureReason) {
    }
}
