package io.backuprelay.common.account;

import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.DrillOutcome;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What is known of an account's backups (topic {@code backup.status}, kept by the scheduler).
 *
 * @param lastSuccessAt       when the last successful backup ended; {@code null} means "Never"
 * @param lastOutcome         how the most recent backup ended, if any has
 * @param inFlight            the backup running now, if any
 * @param recent              the latest outcomes, newest first
 * @param backupType          the type the super-administrator chose
 * @param state               what the backup page shows
 * @param nextDueAt           when the next automatic backup (or retry) is due; {@code null} when none is
 * @param consecutiveFailures automatic attempts that failed since the last success
 * @param pausedReason        why automatic backups are not running although an automatic type is chosen
 */
public record BackupStatus(
        String accountId,
        Instant lastSuccessAt,
        String lastSuccessBackupId,
        OutcomeSummary lastOutcome,
        InFlight inFlight,
        List<OutcomeSummary> recent,
        BackupType backupType,
        ScheduleState state,
        Instant nextDueAt,
        int consecutiveFailures,
        String pausedReason) {

    public static final int RECENT_LIMIT = 20;

    /** Whether the backup is among the recent ones, recorded as succeeded: no worker dumps or uploads it again. */
    public boolean succeeded(String backupId) {
        return recent.stream().anyMatch(o -> o.succeeded() && o.backupId().equals(backupId));
    }

    /**
     * The newest restore drill among the recent backups, with the backup it checked; empty when none ran.
     */
    public Optional<OutcomeSummary> lastRestoreCheck() {
        return recent.stream().filter(o -> o.restoreCheck() != null).findFirst();
    }

    /**
     * The newest backup a drill restored and found whole: "last verified restore". An integrity-only
     * drill (an encrypted backup, or no drill server) proves the blob, not a restore, and does not count.
     */
    public Optional<OutcomeSummary> lastVerifiedRestore() {
        return recent.stream().filter(o -> o.restoreCheck() != null && o.restoreCheck().passed()
                && o.restoreCheck().kind() == DrillOutcome.Kind.RESTORE).findFirst();
    }

    /**
     * What the restore drill found of one backup.
     *
     * @param kind   {@code RESTORE} (restored and compared) or {@code INTEGRITY_ONLY} (an encrypted backup: checksum and header)
     * @param detail what it restored, or what did not match
     */
    public record RestoreCheck(boolean passed, DrillOutcome.Kind kind, Instant checkedAt,
                               String detail) {
    }

    public BackupStatus {
        Objects.requireNonNull(accountId, "accountId");
        recent = recent == null ? List.of() : List.copyOf(recent);
        backupType = backupType == null ? BackupType.MANUAL : backupType;
        state = state == null ? ScheduleState.MANUAL_ONLY : state;
    }

    public static BackupStatus empty(String accountId) {
        return new BackupStatus(accountId, null, null, null, null, List.of(), BackupType.MANUAL,
                ScheduleState.MANUAL_ONLY, null, 0, null);
    }

    /**
     * The status of an account the scheduler has not published one for yet: with an automatic type, it
     * awaits its first manual backup.
     */
    public static BackupStatus unseen(String accountId, BackupType type) {
        return new BackupStatus(accountId, null, null, null, null, List.of(), type,
                ScheduleState.of(false, type != BackupType.MANUAL, false), null, 0, null);
    }

    /** This status with a backup that was requested and that the scheduler does not show yet: it runs. */
    public BackupStatus withRequested(InFlight requested) {
        ScheduleState running = ScheduleState.of(true, backupType != BackupType.MANUAL && pausedReason == null,
                lastSuccessAt != null);
        return new BackupStatus(accountId, lastSuccessAt, lastSuccessBackupId, lastOutcome, requested, recent,
                backupType, running, nextDueAt, consecutiveFailures, pausedReason);
    }

    /**
     * The backup that is running, or waiting for a worker.
     *
     * @param attempt   which try of its due slot it is
     * @param startedAt when a dump worker started it; {@code null} while it waits in the queue
     */
    public record InFlight(String backupId, Trigger trigger, Instant requestedAt, int attempt, Instant startedAt) {

        public InFlight {
            attempt = attempt == 0 ? 1 : attempt;
        }

        public InFlight(String backupId, Trigger trigger, Instant requestedAt, int attempt) {
            this(backupId, trigger, requestedAt, attempt, null);
        }

        public InFlight started(Instant at) {
            return new InFlight(backupId, trigger, requestedAt, attempt, at);
        }
    }

    /**
     * How one backup ended.
     *
     * @param failedStage  {@code null} when it succeeded
     * @param connectionId the connection a successful backup is stored through (added later; may be absent)
     * @param restoreCheck what the restore drill found of this backup; {@code null} until a drill ran
     * @param immutableUntil until when the backup's blob at the destination cannot be deleted (added later; null: it can)
     * @param copies       the backup's copies at the account's copy destinations, as far as known (added later)
     */
    public record OutcomeSummary(
            String backupId,
            boolean succeeded,
            Trigger trigger,
            Instant endedAt,
            Long sizeBytes,
            String blobName,
            FailureStage failedStage,
            String failureReason,
            String connectionId,
            RestoreCheck restoreCheck,
            Instant immutableUntil,
            List<CopyState> copies) {

        public OutcomeSummary {
            copies = copies == null ? List.of() : List.copyOf(copies);
        }

        /** A backup stored as {@code blobName} through {@code connectionId}, with no drill yet. */
        public static OutcomeSummary success(String backupId, Trigger trigger, Instant endedAt, Long sizeBytes,
                                             String blobName, String connectionId) {
            return new OutcomeSummary(backupId, true, trigger, endedAt, sizeBytes, blobName, null, null, connectionId,
                    null, null, null);
        }

        /** A backup that failed at {@code stage}, for {@code reason}. */
        public static OutcomeSummary failure(String backupId, Trigger trigger, Instant endedAt, FailureStage stage,
                                             String reason) {
            return new OutcomeSummary(backupId, false, trigger, endedAt, null, null, stage, reason, null, null, null, null);
        }

        public OutcomeSummary withRestoreCheck(RestoreCheck check) {
            return new OutcomeSummary(backupId, succeeded, trigger, endedAt, sizeBytes, blobName, failedStage,
                    failureReason, connectionId, check, immutableUntil, copies);
        }

        public OutcomeSummary withImmutableUntil(Instant until) {
            return new OutcomeSummary(backupId, succeeded, trigger, endedAt, sizeBytes, blobName, failedStage,
                    failureReason, connectionId, restoreCheck, until, copies);
        }

        /** This summary with the copy at {@code copy.connectionId()} replaced by {@code copy}, or added. */
        public OutcomeSummary withCopy(CopyState copy) {
            List<CopyState> updated = new ArrayList<>(copies.stream()
                    .filter(c -> !c.connectionId().equals(copy.connectionId())).toList());
            updated.add(copy);
            updated.sort(Comparator.comparing(CopyState::connectionId));
            return new OutcomeSummary(backupId, succeeded, trigger, endedAt, sizeBytes, blobName, failedStage,
                    failureReason, connectionId, restoreCheck, immutableUntil, updated);
        }

        /** The copy at that connection, if one was tried. */
        public Optional<CopyState> copy(String connectionId) {
            return copies.stream().filter(c -> c.connectionId().equals(connectionId)).findFirst();
        }
    }

    /**
     * Where one copy of a backup stands.
     *
     * @param state          {@code STORED} (verified there), {@code RETRYING} (a try failed, another follows at
     *                       {@code nextAttemptAt}) or {@code FAILED} (given up: a warning to act on)
     * @param at             when this state was reached
     * @param reason         why the last try failed; {@code null} once stored
     * @param blobName       where the copy is, once stored
     * @param immutableUntil until when the stored copy cannot be deleted; {@code null} when it can
     */
    public record CopyState(String connectionId, CopyState.State state, Instant at, int attempt, String reason,
                            Instant nextAttemptAt, String blobName, Instant immutableUntil) {

        /** What became of a copy. */
        public enum State { RETRYING, STORED, FAILED }

        public CopyState {
            Objects.requireNonNull(connectionId, "connectionId");
            Objects.requireNonNull(state, "state");
        }
    }
}
