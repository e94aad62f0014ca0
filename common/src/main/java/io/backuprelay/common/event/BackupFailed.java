package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * A backup ended without a verified blob.
 *
 * @param reason      plain words a super-administrator can act on; never a stack trace or a secret
 * @param nextRetryAt when the next automatic try is, if {@code willRetry}
 */
@JsonTypeName("backup.failed")
public record BackupFailed(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        Trigger trigger,
        FailureStage stage,
        String reason,
        boolean willRetry,
        Instant nextRetryAt,
        Instant startedAt) implements BackupOutcome {

    public static final int CURRENT_VERSION = 1;

    public BackupFailed {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
    }

    /** A failure of the given request that will not be retried by itself. */
    public static BackupFailed of(BackupRequested request, FailureStage stage, String reason, Instant now) {
        return new BackupFailed(CURRENT_VERSION, Events.newEventId(), request.backupId(), request.accountId(), now,
                request.trigger(), stage, reason, false, null, request.occurredAt());
    }

    /** A failure after the dump, while the archive was on its way to the container. */
    public static BackupFailed of(DumpReady dump, FailureStage stage, String reason, Instant now) {
        return new BackupFailed(CURRENT_VERSION, Events.newEventId(), dump.backupId(), dump.accountId(), now,
                dump.trigger(), stage, reason, false, null, dump.requestedAt());
    }
}
