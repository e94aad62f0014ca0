package io.backuprelay.common.ops;

/** What happened at a stage. */
public enum OpsStatus {
    REQUESTED,
    STARTED,
    /** Still going: {@code bytes} so far (and, for uploads, the rate). */
    PROGRESS,
    FINISHED,
    /** Checks passed (VERIFY). */
    PASSED,
    FAILED,
    /** A transient fault, tried again. */
    RETRIED,
    /** An email went out (NOTIFY). */
    SENT,
    DEAD_LETTERED,
    DELETED,
    /** Retention would delete a backup, but an immutability policy or legal hold keeps it (RETENTION). */
    KEPT,
    SKIPPED,
    CREDENTIAL_EXPIRING,
    ARCHIVE_CHANGED,
    /** An account has had no successful automatic backup for 1.5 intervals (SCHEDULE). */
    OVERDUE,
    OVERDUE_MAILED,
    FAILED_MAILED,
    LINK_ISSUED,
    /** An instance's periodic sign of life (INSTANCE). */
    HEARTBEAT,
    /** A step waits for a resource before it can start, e.g. free space in staging. */
    WAITING,
    /** The super-administrators were warned that the copy of a stored backup to a copy destination was given up (NOTIFY). */
    COPY_FAILED_MAILED,
    /** The super-administrators were told that a copy is stored after all, after failed tries (NOTIFY). */
    COPY_STORED_MAILED
}
