package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * An account on an automatic schedule has had no successful backup for 1.5 times its interval
 * (from the scheduler, on {@code backup.outcomes}, for the notifier; at most once a day an account).
 *
 * @param backupId      the last successful backup
 * @param lastSuccessAt when that backup ended
 */
@JsonTypeName("backup.overdue")
public record BackupOverdue(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        BackupType backupType,
        Instant lastSuccessAt,
        int consecutiveFailures) implements BackupEvent {

    public static final int CURRENT_VERSION = 1;

    public BackupOverdue {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(backupType, "backupType");
        Objects.requireNonNull(lastSuccessAt, "lastSuccessAt");
    }

    public static BackupOverdue of(String accountId, String lastBackupId, BackupType type, Instant lastSuccessAt,
                                   int consecutiveFailures, Instant now) {
        return new BackupOverdue(CURRENT_VERSION, Events.newEventId(), lastBackupId, accountId, now, type, lastSuccessAt,
                consecutiveFailures);
    }
}
