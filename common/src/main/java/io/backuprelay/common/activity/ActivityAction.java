package io.backuprelay.common.activity;

/**
 * What a person did to an account, as its activity log names it. New actions are added at the end;
 * a reader that meets a name it does not know cannot read that entry (the console is the only
 * writer and reader, so both always know the same names).
 */
public enum ActivityAction {
    /** The backup settings were saved (target: none; changes: each setting that changed). */
    SETTINGS_CHANGED,
    /** A connection was added (target: its id; changes: its fields, a secret only as "changed"). */
    CONNECTION_ADDED,
    /** A connection was edited (target: its id; changes: the fields that changed). */
    CONNECTION_CHANGED,
    /** A connection was deleted (target: its id; changes: what it was). */
    CONNECTION_DELETED,
    /** A connection was tested (target: its id; details: {@code result} ok or failed). */
    CONNECTION_TESTED,
    /** A manual backup was asked for (target: the backup id; details: {@code connection}). */
    BACKUP_REQUESTED,
    /** A download link was given (target: the backup id; details: {@code connection}, {@code copy} for a copy's link). */
    DOWNLOAD_GIVEN,
    /** A notification channel was added (target: its id). */
    CHANNEL_ADDED,
    /** A notification channel was edited (target: its id). */
    CHANNEL_CHANGED,
    /** A notification channel was removed (target: its id). */
    CHANNEL_REMOVED,
    /** A test message was sent to a notification channel (target: its id). */
    CHANNEL_TESTED,
    /** An operator registered the account (changes: its fields, the database password only as "changed"). */
    ACCOUNT_REGISTERED,
    /** An operator changed the account's registration (changes: the fields that changed). */
    ACCOUNT_CHANGED
}
