package io.backuprelay.common.account;

/** Where a notification channel sends: besides email, which every account has. */
public enum ChannelKind {
    /** Any HTTPS endpoint, signed as the Standard Webhooks specification defines ({@code webhook-signature}). */
    WEBHOOK,
    /** A Slack incoming-webhook URL. */
    SLACK,
    /** A Microsoft Teams Workflows webhook URL ("When a Teams webhook request is received"). */
    TEAMS,
    /** A ping URL (healthchecks.io, Uptime Kuma) called after each successful automatic backup. */
    HEARTBEAT
}
