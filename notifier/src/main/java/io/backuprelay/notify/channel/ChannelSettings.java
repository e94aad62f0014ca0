package io.backuprelay.notify.channel;

import io.backuprelay.common.config.Setting;
import java.time.Duration;
import java.util.List;

/** The settings of the channels' deliveries (webhooks, Slack, Teams, heartbeat), declared once. */
public final class ChannelSettings {

    public static final Setting<Duration> RETRY_INITIAL = Setting.duration("HOOK_RETRY_INITIAL", Duration.ofSeconds(5),
            "the first wait before a channel delivery its endpoint did not take is tried again; it doubles each try");
    public static final Setting<Duration> RETRY_MAX = Setting.duration("HOOK_RETRY_MAX", Duration.ofMinutes(5),
            "the longest wait between tries of a channel delivery");
    public static final Setting<Duration> RETRY_BUDGET = Setting.duration("HOOK_RETRY_BUDGET", Duration.ofHours(24),
            "how long a channel delivery is tried before it goes to the dead-letter topic; older events are not sent");
    public static final Setting<Duration> TIMEOUT = Setting.duration("HOOK_TIMEOUT", Duration.ofSeconds(10),
            "the longest wait to connect to a channel's endpoint, and then for its answer");
    public static final Setting<String> PAGE_URL = Setting.text("NOTIFY_PAGE_URL", null,
            "the backup page linked from Slack, Teams and webhook messages; {accountId} is replaced by the account's id");

    public static final List<Setting<?>> ALL = List.of(RETRY_INITIAL, RETRY_MAX, RETRY_BUDGET, TIMEOUT, PAGE_URL);

    private ChannelSettings() {
    }
}
