package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * A backup ended without a verified blob.
 *
 * @param reason      plain words a super-administrator can act on; never a stack trace or a secret
 * @param willRetry   whether the scheduler will try again: set only on the failures the scheduler
 *                    itself declares (timeouts); a worker cannot know, and leaves it false. The
 *                    scheduler's decision for every failure is on {@code BackupStatus.nextDueAt}
 * @param nextRetryAt when the next automatic try is, if {@code willRetry}
 * @param attempt     which try of its due slot this was (added in version 1; 1 when absent)
 * @param requester   who asked for this manual backup, mailed too (added in version 1; may be absent)
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
        Instant startedAt,
        int attempt,
        Requester requester) implements BackupOutcome {

    public static final int CURRENT_VERSION = 1;

    public BackupFailed {
        version = version == 0 ? CURRENT_VERSION : version;
        attempt = attempt == 0 ? 1 : attempt;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
    }

    /** A failure of the given request, as a worker reports it. */
    public static BackupFailed of(BackupRequested request, FailureStage stage, String reason, Instant now) {
        return new BackupFailed(CURRENT_VERSION, Events.newEventId(), request.backupId(), request.accountId(), now,
                request.trigger(), stage, reason, false, null, request.occurredAt(), request.attempt(), request.requester());
    }

    /** A failure after the dump, while the archive was on its way to the container. */
    public static BackupFailed of(DumpReady dump, FailureStage stage, String reason, Instant now) {
        return new BackupFailed(CURRENT_VERSION, Events.newEventId(), dump.backupId(), dump.accountId(), now,
                dump.trigger(), stage, reason, false, null, dump.requestedAt(), dump.attempt(), dump.requester());
    }

    /** A backup the scheduler declares failed (stage TIMEOUT): it had no outcome long after a worker started it. */
    public static BackupFailed timedOut(String backupId, String accountId, Trigger trigger, int attempt,
                                        Instant startedAt, String reason, Instant now) {
        return new BackupFailed(CURRENT_VERSION, Events.newEventId(), backupId, accountId, now, trigger,
                FailureStage.TIMEOUT, reason, false, null, startedAt, attempt, null);
    }

    /** The same failure, saying when the scheduler will try again ({@code null}: it will not). */
    public BackupFailed withNextTry(Instant nextTry) {
        return new BackupFailed(version, eventId, backupId, accountId, occurredAt, trigger, stage, reason, nextTry != null,
                nextTry, startedAt, attempt, requester);
    }
}
