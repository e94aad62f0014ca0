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
    RUNNING,
    /**
     * Scheduled, but the account's backup window closed before the scheduler's rate limit let its due backup
     * start: the window was too short for the backups due in it, and this one waits for the next window
     * ({@code nextDueAt}). Set only by the scheduler, which alone knows; {@link #of} never returns it.
     */
    WINDOW_TOO_SHORT;

    /**
     * The one rule of where an account stands, for the scheduler's published status and for what the
     * page shows before the scheduler has published one.
     *
     * @param running       a backup is running or waiting for a worker
     * @param automatic     automatic backups are on (an automatic type, and nothing pauses them)
     * @param succeededOnce a backup has succeeded: the schedule counts from the last success
     */
    public static ScheduleState of(boolean running, boolean automatic, boolean succeededOnce) {
        if (running) {
            return RUNNING;
        }
        if (!automatic) {
            return MANUAL_ONLY;
        }
        return succeededOnce ? SCHEDULED : AWAITING_FIRST_MANUAL_BACKUP;
    }
}
