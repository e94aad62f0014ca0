package io.backuprelay.common.event;

/** What {@code backup.outcomes} carries: how one backup ended. */
public sealed interface BackupOutcome extends BackupEvent permits BackupCompleted, BackupFailed {

    Trigger trigger();

    /** Who asked for this manual backup, to be mailed too; {@code null} when no one did or it is not known. */
    Requester requester();
}
