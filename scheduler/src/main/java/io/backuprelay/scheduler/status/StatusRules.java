package io.backuprelay.scheduler.status;

import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupStatus.InFlight;
import io.backuprelay.common.account.BackupStatus.OutcomeSummary;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import java.util.ArrayList;
import java.util.List;

/** How each event changes an account's backup status. Plain logic: no Kafka in here. */
public final class StatusRules {

    private StatusRules() {
    }

    public static BackupStatus apply(BackupStatus status, BackupEvent event) {
        return switch (event) {
            case BackupRequested requested -> requested(status, requested);
            case DumpReady ignored -> status;
            case BackupCompleted completed -> ended(status, completed.backupId(),
                    new OutcomeSummary(completed.backupId(), true, completed.trigger(), completed.endedAt(),
                            completed.sizeBytes(), completed.destination().blobName(), null, null));
            case BackupFailed failed -> ended(status, failed.backupId(),
                    new OutcomeSummary(failed.backupId(), false, failed.trigger(), failed.occurredAt(), null, null,
                            failed.stage(), failed.reason()));
        };
    }

    private static BackupStatus requested(BackupStatus status, BackupRequested requested) {
        if (status.recent().stream().anyMatch(o -> o.backupId().equals(requested.backupId()))) {
            return status; // a redelivered request of a backup that has already ended
        }
        return new BackupStatus(status.accountId(), status.lastSuccessAt(), status.lastSuccessBackupId(),
                status.lastOutcome(), new InFlight(requested.backupId(), requested.trigger(), requested.occurredAt()),
                status.recent());
    }

    private static BackupStatus ended(BackupStatus status, String backupId, OutcomeSummary outcome) {
        if (status.recent().stream().anyMatch(o -> o.backupId().equals(backupId))) {
            return status; // the same outcome twice changes nothing
        }
        InFlight inFlight = status.inFlight() != null && status.inFlight().backupId().equals(backupId)
                ? null
                : status.inFlight();
        boolean newerSuccess = outcome.succeeded()
                && (status.lastSuccessAt() == null || outcome.endedAt().isAfter(status.lastSuccessAt()));
        List<OutcomeSummary> recent = new ArrayList<>(status.recent().size() + 1);
        recent.add(outcome);
        recent.addAll(status.recent());
        if (recent.size() > BackupStatus.RECENT_LIMIT) {
            recent = recent.subList(0, BackupStatus.RECENT_LIMIT);
        }
        return new BackupStatus(status.accountId(),
                newerSuccess ? outcome.endedAt() : status.lastSuccessAt(),
                newerSuccess ? backupId : status.lastSuccessBackupId(),
                outcome, inFlight, recent);
    }
}
