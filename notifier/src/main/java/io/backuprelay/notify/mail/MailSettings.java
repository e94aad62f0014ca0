package io.backuprelay.notify.mail;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * SMTP settings from the environment. Without {@code SMTP_HOST}, messages are written as
 * {@code .eml} files into {@code BACKUPRELAY_OUTBOX_DIR} instead (the standalone default).
 *
 * @param security NONE, STARTTLS or SSL
 * @param timeouts how long the server is waited for
 */
public record MailSettings(Optional<String> host, int port, Security security, Login login, String from,
                           Path outboxDir, Timeouts timeouts) {

    /** The credentials the server asks for, if any ({@code null} each when it asks for none). */
    public record Login(String username, String password) {

        public static final Login NONE = new Login(null, null);

        @Override
        public String toString() {
            return "Login[username=" + username + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    public enum Security { NONE, STARTTLS, SSL }

    /**
     * How long the SMTP server is waited for. Giving up before the answer to the end of a message's
     * data is what sends it twice (the server may already have it), so that answer is awaited as
     * long as RFC 5321 §4.5.3.2.6 asks: 10 minutes. Giving up anywhere before is harmless (the
     * server has accepted nothing yet), so those waits stay short.
     *
     * @param connect   the TCP connection
     * @param command   each answer before the end of the data, and each write
     * @param endOfData the answer to the end of the data
     */
    public record Timeouts(Duration connect, Duration command, Duration endOfData) {

        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(15), Duration.ofSeconds(30),
                Duration.ofMinutes(10));

        public Timeouts {
            for (Duration timeout : new Duration[] {connect, command, endOfData}) {
                // A socket timeout of 0 would wait forever.
                if (Objects.requireNonNull(timeout, "timeout").toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("an SMTP timeout must be between 1 ms and 24 days, is " + timeout);
                }
            }
        }
    }

    public MailSettings {
        login = login == null ? Login.NONE : login;
        timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
    }

    public MailSettings(Optional<String> host, int port, Security security, String username, String password,
                        String from, Path outboxDir) {
        this(host, port, security, new Login(username, password), from, outboxDir, Timeouts.DEFAULT);
    }

    public String username() {
        return login.username();
    }

    public String password() {
        return login.password();
    }

    public static MailSettings from(ConfigSource config) {
        String security = MailVariables.SMTP_SECURITY.read(config).toUpperCase(Locale.ROOT);
        Security parsed;
        try {
            parsed = Security.valueOf(security);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(MailVariables.SMTP_SECURITY.name(), "must be NONE, STARTTLS or SSL, is '"
                    + security + "'");
        }
        Duration endOfData = MailVariables.SMTP_DATA_TIMEOUT.read(config);
        if (endOfData.compareTo(Duration.ofSeconds(1)) < 0 || endOfData.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException(MailVariables.SMTP_DATA_TIMEOUT.name(), "must be between PT1S and PT1H (RFC 5321"
                    + " asks for PT10M), is " + endOfData);
        }
        int port = parsed == Security.SSL ? MailVariables.SMTP_PORT.read(config, 465) : MailVariables.SMTP_PORT.read(config);
        return new MailSettings(MailVariables.SMTP_HOST.find(config), port, parsed,
                new Login(MailVariables.SMTP_USERNAME.read(config), MailVariables.SMTP_PASSWORD.read(config)),
                MailVariables.SMTP_FROM.read(config), MailVariables.OUTBOX_DIR.read(config),
                new Timeouts(Timeouts.DEFAULT.connect(), Timeouts.DEFAULT.command(), endOfData));
    }

    @Override
    public String toString() {
        return "MailSettings[host=" + host.orElse("(outbox " + outboxDir + ")") + ", port=" + port + ", security="
                + security + ", username=" + username() + ", password=" + (password() == null ? "none" : "***")
                + ", from=" + from + ", timeouts=" + timeouts + "]";
    }
}
