package io.backuprelay.common.ops;

/** The step of a backup's life (or of a service's) that an ops event is about. */
public enum OpsStage {
    /** A backup was asked for: by the console (manual) or the scheduler (automatic). */
    REQUEST,
    DUMP,
    UPLOAD,
    /** The stored blob's integrity checks, after the upload. */
    VERIFY,
    NOTIFY,
    RETENTION,
    /** A stored backup copied to one of the account's copy destinations. */
    COPY,
    /** The restore drill of a stored backup. */
    DRILL,
    /** The scheduler's reminders. */
    SCHEDULE,
    DOWNLOAD,
    /** A service instance says it is alive (no backup). */
    INSTANCE
}
