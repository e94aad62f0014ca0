package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * A try to copy a stored backup to a copy destination failed. The backup itself stays complete.
 *
 * @param reason        what went wrong, for the super-administrator, with no secret in it
 * @param willRetry     whether the copier tries again ({@code nextAttemptAt}); {@code false} when the copy is given
 *                      up (its retry budget is spent, or the failure is permanent), which is a warning to act on
 * @param nextAttemptAt when the next try starts; {@code null} when there is none
 */
@JsonTypeName("backup.copy.failed")
public record CopyFailed(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        String connectionId,
        int attempt,
        String reason,
        boolean willRetry,
        Instant nextAttemptAt) implements CopyOutcome {

    public static final int CURRENT_VERSION = 1;

    public CopyFailed {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(reason, "reason");
        attempt = Math.max(attempt, 1);
    }

    /**
     * Try {@code attempt} of copying {@code backupId} to {@code connectionId} failed; another follows at
     * {@code nextAttemptAt}, or none when it is null (given up).
     */
    public static CopyFailed of(BackupEvent backup, String connectionId, int attempt, String reason, Instant at,
                                Instant nextAttemptAt) {
        return new CopyFailed(CURRENT_VERSION, Events.newEventId(), backup.backupId(), backup.accountId(), at,
                connectionId, attempt, reason, nextAttemptAt != null, nextAttemptAt);
    }
}
