package io.backuprelay.notify.sent;

/** Writes to {@code backup.notifications} at once, outside the job's transaction. */
public interface SentLog {

    /** Writes the record under its key, and returns once the broker has it. */
    void record(String key, SentNotification record) throws Exception;

    /** Deletes the key (a tombstone), so that no notifier keeps it in memory any more. */
    void forget(String key);
}
