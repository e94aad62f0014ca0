package io.backuprelay.common.account;

/** How often the restore drill proves an account's backups (chosen per account; {@link #WEEKLY} unless chosen). */
public enum RestoreDrill {
    /** Every completed backup. */
    EVERY_BACKUP,
    /** A completed backup when no drill has run in the last 7 days: the latest per week. */
    WEEKLY,
    /** Never. */
    OFF
}
