package io.backuprelay.common.account;

/** Where an account stands with its backups, as the backup page shows it. */
public enum ScheduleState {
    /** Backups run only when the super-administrator asks (type Manual, or automatic backups are paused). */
    MANUAL_ONLY,
    /** An automatic type is chosen, but the first backup must be made by hand before the schedule starts. */
    AWAITING_FIRST_MANUAL_BACKUP,
    /** The next automatic backup is due at {@code nextDueAt}. */
    SCHEDULED,
    /** A backup is running now. */
    RUNNING
}
