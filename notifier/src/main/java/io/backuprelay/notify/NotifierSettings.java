package io.backuprelay.notify;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import io.backuprelay.hook.HookSettings;
import io.backuprelay.notify.mail.MailVariables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the notifier reads, declared once: its own settings, the mail sender's, the allowlist and the master key. */
public final class NotifierSettings {

    public static final Setting<Integer> RETRY_ATTEMPTS = Setting.integer("NOTIFY_RETRY_ATTEMPTS", 8, 1, 100,
            "tries of an unreachable SMTP server");
    public static final Setting<Duration> RETRY_INITIAL = Setting.duration("NOTIFY_RETRY_INITIAL", Duration.ofSeconds(5),
            "the first wait between those tries");
    public static final Setting<Duration> RETRY_MAX = Setting.duration("NOTIFY_RETRY_MAX", Duration.ofMinutes(10),
            "the longest wait between those tries");
    public static final Setting<Duration> SENT_HORIZON = Setting.duration("NOTIFY_SENT_HORIZON",
            NotifierConfig.DEFAULT_SENT_HORIZON, "how old an event may be and still be mailed");
    public static final Setting<Duration> LINK_VALIDITY = Setting.duration("NOTIFY_LINK_VALIDITY",
            NotifierConfig.MAX_LINK_VALIDITY, "how long the download link in an email works");

    public static final List<Setting<?>> ALL = all();

    private NotifierSettings() {
    }

    private static List<Setting<?>> all() {
        List<Setting<?>> all = new ArrayList<>(MailVariables.ALL);
        all.addAll(List.of(RETRY_ATTEMPTS, RETRY_INITIAL, RETRY_MAX, SENT_HORIZON, LINK_VALIDITY,
                CommonSettings.ALLOWED_ENDPOINTS, CommonSettings.MASTER_KEY, CommonSettings.MASTER_KEY_ID,
                CommonSettings.MASTER_KEYS));
        all.addAll(HookSettings.ALL);
        return List.copyOf(all);
    }
}
