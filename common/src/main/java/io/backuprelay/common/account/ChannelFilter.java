package io.backuprelay.common.account;

/** What a channel is sent. A heartbeat is only ever called after a successful automatic backup. */
public enum ChannelFilter {
    /** Every outcome: completed, failed, overdue, restore check failed, copy failed. */
    ALL,
    /** Failures only: backup failed, restore check failed, copy failed. */
    FAILURES,
    /** Failures and overdue alerts. */
    FAILURES_AND_OVERDUE
}
