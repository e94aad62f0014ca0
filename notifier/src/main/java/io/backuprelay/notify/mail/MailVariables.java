package io.backuprelay.notify.mail;

import io.backuprelay.common.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The settings of the mail sender, declared once: read into {@link MailSettings}. */
public final class MailVariables {

    public static final Setting<String> SMTP_HOST = Setting.text("SMTP_HOST", null, "the SMTP server")
            .documentedDefault("none: write .eml files to the outbox");
    public static final Setting<Integer> SMTP_PORT = Setting.integer("SMTP_PORT", 587, 1, 65535, "its port")
            .documentedDefault("587 (465 with SSL)");
    public static final Setting<String> SMTP_SECURITY = Setting.text("SMTP_SECURITY", "STARTTLS",
            "NONE, STARTTLS or SSL");
    public static final Setting<String> SMTP_USERNAME = Setting.text("SMTP_USERNAME", null, "the SMTP user");
    public static final Setting<String> SMTP_PASSWORD = Setting.text("SMTP_PASSWORD", null, "its password").masked();
    public static final Setting<String> SMTP_FROM = Setting.text("SMTP_FROM", "backuprelay@localhost", "the sender");
    public static final Setting<Duration> SMTP_DATA_TIMEOUT = Setting.duration("SMTP_DATA_TIMEOUT",
            MailSettings.Timeouts.DEFAULT.endOfData(), "how long the answer to the end of a message's data is awaited");
    public static final Setting<Path> OUTBOX_DIR = Setting.path("BACKUPRELAY_OUTBOX_DIR", Path.of("data/outbox"),
            "where messages go without SMTP");

    public static final List<Setting<?>> ALL = List.of(SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME, SMTP_PASSWORD,
            SMTP_FROM, SMTP_DATA_TIMEOUT, OUTBOX_DIR);

    private MailVariables() {
    }
}
