package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.RestoreFailed;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.hook.ChannelTexts;
import io.backuprelay.notify.mail.Email;
import java.text.MessageFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;

/**
 * What the email of an outcome says, in the account's language (en, es, fr, pt; texts in
 * {@code notify/messages_*.properties}): plain words, dates in the account's time zone, every
 * value HTML-escaped, no secret.
 */
public final class EmailComposer {

    /**
     * What the email adds beyond the event.
     *
     * @param nextBackupAt after a success, the next automatic backup; after a failure, the next try
     *                     (both as the scheduler decided them, read from {@code BackupStatus})
     * @param download     a read-only link to the blob and until when it works, for the
     *                     super-administrators' email of a manual backup whose connection can sign one
     * @param lastVerifiedRestore the newest backup of the account whose restore drill passed, as the scheduler keeps it
     * @param copies       the copy destinations the backup is being copied to, each as the super-administrator
     *                     knows it (the connection's description, else its id); empty when it is not copied
     */
    public record Extras(Optional<Instant> nextBackupAt, Optional<Download> download,
                         Optional<BackupStatus.OutcomeSummary> lastVerifiedRestore, List<String> copies) {

        public Extras {
            copies = copies == null ? List.of() : List.copyOf(copies);
        }

        public Extras(Optional<Instant> nextBackupAt, Optional<Download> download,
                      Optional<BackupStatus.OutcomeSummary> lastVerifiedRestore) {
            this(nextBackupAt, download, lastVerifiedRestore, List.of());
        }

        public Extras(Optional<Instant> nextBackupAt, Optional<Download> download) {
            this(nextBackupAt, download, Optional.empty());
        }

        /** The same, without the link: for recipients who are not super-administrators. */
        public Extras withoutLink() {
            return new Extras(nextBackupAt, Optional.empty(), lastVerifiedRestore, copies);
        }

        public static Extras none() {
            return new Extras(Optional.empty(), Optional.empty());
        }
    }

    /** A read-only link to one blob, and when it stops working. */
    public record Download(String url, Instant expiresAt) {
    }

    record Row(String label, String value, boolean link) {
    }

    public Email compose(BackupOutcome outcome, Account account, List<String> recipients) {
        return compose(outcome, account, recipients, Extras.none());
    }

    public Email compose(BackupOutcome outcome, Account account, List<String> recipients, Extras extras) {
        return compose(outcome, account, recipients, extras, null);
    }

    /**
     * The email in another language than the account's ({@code language}, e.g. the requester's;
     * {@code null}: the account's), with a Message-ID of its own.
     */
    public Email compose(BackupOutcome outcome, Account account, List<String> recipients, Extras extras,
                         String language) {
        Style style = Style.of(account, language);
        Email email = switch (outcome) {
            case BackupCompleted completed -> completed(completed, account, recipients, extras, style.texts(),
                    style.dates(), style.zone());
            case BackupFailed failed -> failed(failed, account, recipients, extras, style.texts(), style.dates(), style.zone());
        };
        return language == null ? email : new Email(email.to(), email.subject(), email.text(), email.html(),
                requesterMessageId(outcome));
    }

    /** The account's language, or {@code language} if given, as one of the four the emails are written in. */
    public static String languageOf(Account account, String language) {
        return locale(language != null ? language : account.locale()).getLanguage();
    }

    /** The account's language and time zone, as texts and a date format. */
    record Style(ResourceBundle texts, DateTimeFormatter dates, ZoneId zone) {

        static Style of(Account account) {
            return of(account, null);
        }

        static Style of(Account account, String language) {
            Locale locale = EmailComposer.locale(language != null ? language : account.locale());
            ZoneId zone = EmailComposer.zone(account);
            return new Style(ResourceBundle.getBundle("notify/messages", locale),
                    DateTimeFormatter.ofLocalizedDateTime(FormatStyle.LONG, FormatStyle.MEDIUM).withLocale(locale)
                            .withZone(zone), zone);
        }
    }

    private Email completed(BackupCompleted event, Account account, List<String> recipients, Extras extras,
                            ResourceBundle texts, DateTimeFormatter dates, ZoneId zone) {
        List<Row> rows = new ArrayList<>(List.of(
                row(texts, "label.when", when(dates, zone, event.endedAt())),
                row(texts, "label.type", texts.getString("trigger." + event.trigger())),
                row(texts, "label.size", size(event.sizeBytes())),
                row(texts, "label.duration", duration(event.duration())),
                row(texts, "label.storageAccount", event.destination().storageAccount()),
                row(texts, "label.container", event.destination().container()),
                row(texts, "label.blob", event.destination().blobName()),
                row(texts, "label.sha256", event.sha256()),
                row(texts, "label.backupId", event.backupId())));
        if (!event.checks().isEmpty()) {
            rows.add(row(texts, "label.checks", String.join("; ", event.checks().stream()
                    .map(check -> texts.containsKey("check." + check) ? texts.getString("check." + check) : check)
                    .toList())));
        }
        extras.nextBackupAt().ifPresent(next -> rows.add(row(texts, "label.nextBackup", when(dates, zone, next))));
        extras.download().ifPresent(link -> rows.add(new Row(format(texts, "label.downloadUntil",
                when(dates, zone, link.expiresAt())), link.url(), true)));
        extras.lastVerifiedRestore().ifPresent(verified -> rows.add(row(texts, "label.lastVerifiedRestore",
                new MessageFormat(texts.getString("drill.verifiedOn").replace("'", "''"), texts.getLocale()).format(
                        new Object[] {when(dates, zone, verified.restoreCheck().checkedAt()), verified.backupId()})
                        + " (" + texts.getString("drillKind." + verified.restoreCheck().kind()) + ")")));
        if (event.immutableUntil() != null) {
            rows.add(row(texts, "label.immutableUntil", when(dates, zone, event.immutableUntil())));
        }
        // The backup is complete now; its copies follow, and only a copy given up is mailed (CopyNotices).
        if (!extras.copies().isEmpty()) {
            rows.add(row(texts, "label.copies", format(texts, "copies.pending",
                    String.join(", ", extras.copies().stream().map(name -> "'" + name + "'").toList()))));
        }
        event.warnings().forEach(warning -> rows.add(row(texts, "label.warning", warning)));
        return email(recipients, format(texts, "completed.subject", account.displayName()),
                format(texts, "completed.intro", account.displayName()), rows, null, texts, messageId(event));
    }

    private Email failed(BackupFailed event, Account account, List<String> recipients, Extras extras, ResourceBundle texts,
                         DateTimeFormatter dates, ZoneId zone) {
        List<Row> rows = new ArrayList<>(List.of(
                row(texts, "label.failedStep", texts.getString("stage." + event.stage())),
                row(texts, "label.reason", event.reason()),
                row(texts, "label.when", when(dates, zone, event.occurredAt())),
                row(texts, "label.type", texts.getString("trigger." + event.trigger())),
                row(texts, "label.backupId", event.backupId())));
        extras.nextBackupAt().ifPresent(next -> rows.add(row(texts, "label.nextTry", when(dates, zone, next))));
        return email(recipients, format(texts, "failed.subject", account.displayName()),
                format(texts, "failed.intro", account.displayName()), rows,
                texts.getString("advice." + event.stage()), texts, messageId(event));
    }

    static Email email(List<String> recipients, String subject, String intro, List<Row> rows, String advice,
                               ResourceBundle texts, String messageId) {
        StringBuilder text = new StringBuilder(intro).append("\n\n");
        int width = rows.stream().mapToInt(r -> r.label().length()).max().orElse(0) + 2;
        for (Row row : rows) {
            text.append(String.format("%-" + width + "s", row.label() + ":")).append(row.value()).append('\n');
        }
        StringBuilder html = new StringBuilder("<!doctype html><html><body style=\"font-family:sans-serif;color:#1d2433\">")
                .append("<p>").append(escape(intro)).append("</p><table cellpadding=\"4\" style=\"border-collapse:collapse\">");
        for (Row row : rows) {
            String value = escape(row.value());
            html.append("<tr><th align=\"left\" style=\"color:#5a6478\">").append(escape(row.label())).append("</th><td>")
                    .append(row.link() ? "<a href=\"" + value + "\">" + value + "</a>" : value).append("</td></tr>");
        }
        html.append("</table>");
        if (advice != null) {
            text.append('\n').append(advice).append('\n');
            html.append("<p>").append(escape(advice)).append("</p>");
        }
        text.append('\n').append(texts.getString("footer")).append('\n');
        html.append("<p style=\"color:#5a6478;font-size:smaller\">").append(escape(texts.getString("footer")))
                .append("</p></body></html>");
        return new Email(recipients, subject, text.toString(), html.toString(), messageId);
    }

    /** A stored backup failed its restore drill: what did not match, in the account's language. */
    public Email drillFailed(RestoreFailed failed, Account account, List<String> recipients) {
        Style style = Style.of(account);
        ResourceBundle texts = style.texts();
        List<Row> rows = new ArrayList<>(List.of(
                row(texts, "label.backupId", failed.backupId()),
                row(texts, "label.drillKind", texts.getString("drillKind." + failed.kind())),
                row(texts, "label.reason", failed.detail()),
                row(texts, "label.when", when(style.dates(), style.zone(), failed.occurredAt()))));
        if (!failed.differences().isEmpty()) {
            rows.add(row(texts, "label.differences", String.join("; ", failed.differences())));
        }
        return email(recipients, format(texts, "drill.subject", account.displayName()),
                format(texts, "drill.intro", account.displayName()), rows, texts.getString("advice.DRILL"), texts,
                drillMessageId(failed));
    }

    static String drillMessageId(RestoreFailed failed) {
        return "<" + failed.backupId() + ".drill-failed@backuprelay>";
    }

    /** The reminder that an account's automatic backups have not succeeded for too long. */
    public Email overdue(BackupOverdue alert, Account account, List<String> recipients) {
        Style style = Style.of(account);
        ResourceBundle texts = style.texts();
        DateTimeFormatter dates = style.dates();
        ZoneId zone = style.zone();
        List<Row> rows = List.of(
                row(texts, "label.lastSuccess", when(dates, zone, alert.lastSuccessAt())),
                row(texts, "label.schedule", texts.getString("type." + alert.backupType())),
                row(texts, "label.failures", Integer.toString(alert.consecutiveFailures())));
        return email(recipients, format(texts, "overdue.subject", account.displayName()),
                format(texts, "overdue.intro", account.displayName()), rows, texts.getString("advice.OVERDUE"), texts,
                overdueMessageId(alert));
    }

    /** One reminder a day an account: the Message-ID names both. */
    static String overdueMessageId(BackupOverdue alert) {
        return "<overdue." + alert.accountId() + "." + alert.occurredAt().atZone(ZoneOffset.UTC).toLocalDate()
                + "@backuprelay>";
    }

    /** The copy without a link, for the recipients who are not super-administrators: its own Message-ID. */
    static String othersMessageId(BackupOutcome outcome) {
        return messageId(outcome).replace("@backuprelay>", ".others@backuprelay>");
    }

    /** The requester's own copy, in their language: its own Message-ID, so each copy is sent once. */
    static String requesterMessageId(BackupOutcome outcome) {
        return messageId(outcome).replace("@backuprelay>", ".requester@backuprelay>");
    }

    static String messageId(BackupOutcome outcome) {
        return "<" + outcome.backupId() + "." + (outcome instanceof BackupCompleted ? "completed" : "failed")
                + "@backuprelay>";
    }

    /** Escapes what HTML gives a meaning to, so a value can never become markup. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static Row row(ResourceBundle texts, String key, String value) {
        return new Row(texts.getString(key), value, false);
    }

    /** The text of {@code key} with its {0}, {1}… filled in; an apostrophe in it is text, not a quote. */
    static String format(ResourceBundle texts, String key, Object... values) {
        return new MessageFormat(texts.getString(key).replace("'", "''"), texts.getLocale()).format(values);
    }

    static String when(DateTimeFormatter dates, ZoneId zone, Instant instant) {
        return dates.format(instant) + " (" + zone.getId() + ")";
    }

    private static Locale locale(String tag) {
        String language = tag == null ? "en" : tag.replace('_', '-');
        Locale locale = Locale.forLanguageTag(language);
        return List.of("en", "es", "fr", "pt").contains(locale.getLanguage()) ? locale : Locale.ENGLISH;
    }

    private static ZoneId zone(Account account) {
        return ChannelTexts.zone(account.timeZone());
    }

    /** The size as people read it, and in bytes too when that is not the same. */
    static String size(long bytes) {
        String human = ChannelTexts.size(bytes);
        return bytes < 1024 ? human : human + String.format(Locale.ENGLISH, " (%,d bytes)", bytes);
    }

    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }
}
