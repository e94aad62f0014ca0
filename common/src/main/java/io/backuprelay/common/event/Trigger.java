package io.backuprelay.common.event;

/** Why a backup runs. */
public enum Trigger {
    /** The account's super-administrator pressed "Create database backup". */
    MANUAL,
    /** The account's automatic schedule came due. */
    SCHEDULED,
    /** An earlier automatic attempt failed and is tried again. */
    RETRY
}
