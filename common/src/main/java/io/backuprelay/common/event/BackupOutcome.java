package io.backuprelay.common.event;

/** What {@code backup.outcomes} carries: how one backup ended. */
public sealed interface BackupOutcome extends BackupEvent permits BackupCompleted, BackupFailed {

    Trigger trigger();
}
