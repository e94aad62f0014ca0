package io.backuprelay.hook;

import io.backuprelay.common.config.Setting;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The settings of the channels (webhooks, Slack, Teams, heartbeat), declared once: the notifier reads them all
 * to deliver; the console reads {@link #TIMEOUT} and {@link #PAGE_URL} for "send test".
 */
public final class HookSettings {

    public static final Setting<Duration> RETRY_INITIAL = Setting.duration("HOOK_RETRY_INITIAL", Duration.ofSeconds(5),
            "the first wait before a channel delivery its endpoint did not take is tried again; it doubles each try");
    public static final Setting<Duration> RETRY_MAX = Setting.duration("HOOK_RETRY_MAX", Duration.ofMinutes(5),
            "the longest wait between tries of a channel delivery");
    public static final Setting<Duration> RETRY_BUDGET = Setting.duration("HOOK_RETRY_BUDGET", Duration.ofHours(24),
            "how long a channel delivery is tried before it goes to the dead-letter topic; older events are not sent");
    public static final Setting<Duration> TIMEOUT = Setting.duration("HOOK_TIMEOUT", Duration.ofSeconds(10),
            "the longest wait to connect to a channel's endpoint, and then for its answer; twice it ends a request");
    public static final Setting<String> PAGE_URL = Setting.text("BACKUPRELAY_PAGE_URL", null,
            "the backup page linked from Slack, Teams and webhook messages; {accountId} is replaced by the account's id");

    public static final List<Setting<?>> ALL = List.of(RETRY_INITIAL, RETRY_MAX, RETRY_BUDGET, TIMEOUT, PAGE_URL);

    private HookSettings() {
    }

    /**
     * An account's page from the {@link #PAGE_URL} template: {@code {accountId}} replaced by the id, URL-encoded;
     * empty when no template is set.
     */
    public static Optional<String> pageFor(String template, String accountId) {
        if (template == null || template.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(template.replace("{accountId}",
                URLEncoder.encode(accountId, StandardCharsets.UTF_8).replace("+", "%20")));
    }
}
