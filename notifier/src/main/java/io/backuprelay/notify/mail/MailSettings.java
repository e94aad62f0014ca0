package io.backuprelay.notify.mail;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;
import java.util.Optional;

/**
 * SMTP settings from the environment. Without {@code SMTP_HOST}, messages are written as
 * {@code .eml} files into {@code BACKUPRELAY_OUTBOX_DIR} instead (the standalone default).
 *
 * @param security NONE, STARTTLS or SSL
 */
public record MailSettings(Optional<String> host, int port, Security security, String username, String password,
                           String from, Path outboxDir) {

    public enum Security { NONE, STARTTLS, SSL }

    public static MailSettings from(ConfigSource config) {
        String security = config.string("SMTP_SECURITY", "STARTTLS").toUpperCase(java.util.Locale.ROOT);
        Security parsed;
        try {
            parsed = Security.valueOf(security);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("SMTP_SECURITY", "must be NONE, STARTTLS or SSL, is '" + security + "'");
        }
        return new MailSettings(config.optional("SMTP_HOST"),
                config.integer("SMTP_PORT", parsed == Security.SSL ? 465 : 587, 1, 65535), parsed,
                config.string("SMTP_USERNAME", null), config.string("SMTP_PASSWORD", null),
                config.string("SMTP_FROM", "backuprelay@localhost"),
                config.path("BACKUPRELAY_OUTBOX_DIR", Path.of("data/outbox")));
    }

    @Override
    public String toString() {
        return "MailSettings[host=" + host.orElse("(outbox " + outboxDir + ")") + ", port=" + port + ", security="
                + security + ", username=" + username + ", password=" + (password == null ? "none" : "***")
                + ", from=" + from + "]";
    }
}
