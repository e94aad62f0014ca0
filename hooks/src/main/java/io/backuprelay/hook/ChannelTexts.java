package io.backuprelay.hook;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.RestoreFailed;
import java.text.MessageFormat;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * What a chat channel (Slack, Teams) says of an event, in the account's language (en, es, fr, pt; texts in
 * {@code hook/messages_*.properties}, worded as the emails are), dates in the account's time zone: a title,
 * the facts, and for a failure what to do.
 */
public final class ChannelTexts {

    static final List<String> LANGUAGES = List.of("en", "es", "fr", "pt");

    /** One message: its title, its facts in order, and what to do (null when there is nothing to do). */
    record Summary(String title, List<Fact> facts, String advice, String linkText) {
    }

    record Fact(String label, String value) {
    }

    private final ResourceBundle texts;
    private final DateTimeFormatter dates;
    private final ZoneId zone;
    private final String account;

    private ChannelTexts(Account account) {
        Locale locale = locale(account.locale());
        this.zone = zone(account.timeZone());
        this.texts = ResourceBundle.getBundle("hook/messages", locale);
        this.dates = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.LONG, FormatStyle.MEDIUM).withLocale(locale)
                .withZone(zone);
        this.account = account.displayName();
    }

    static ChannelTexts of(Account account) {
        return new ChannelTexts(account);
    }

    /** The summary of an event a channel is sent (completed, failed, overdue, restore check failed, copy given up). */
    Summary summary(BackupEvent event) {
        return switch (event) {
            case BackupCompleted completed -> new Summary(format("completed.subject", account), List.of(
                    fact("label.when", when(completed.endedAt())),
                    fact("label.type", texts.getString("trigger." + completed.trigger())),
                    fact("label.size", size(completed.sizeBytes())),
                    fact("label.backupId", completed.backupId())), null, text("page.open"));
            case BackupFailed failed -> failed(failed);
            case BackupOverdue overdue -> new Summary(format("overdue.subject", account), List.of(
                    fact("label.lastSuccess", when(overdue.lastSuccessAt())),
                    fact("label.failures", Integer.toString(overdue.consecutiveFailures()))),
                    text("advice.OVERDUE"), text("page.open"));
            case RestoreFailed drill -> new Summary(format("drill.subject", account), List.of(
                    fact("label.backupId", drill.backupId()),
                    fact("label.drillKind", text("drillKind." + drill.kind())),
                    fact("label.reason", drill.detail()),
                    fact("label.when", when(drill.occurredAt()))), text("advice.DRILL"), text("page.open"));
            case CopyFailed copy -> new Summary(format("copyFailed.subject", account), List.of(
                    fact("label.copyDestination", copy.connectionId()),
                    fact("label.attempts", Integer.toString(copy.attempt())),
                    fact("label.reason", copy.reason()),
                    fact("label.backupId", copy.backupId())), format("advice.COPY", copy.connectionId()),
                    text("page.open"));
            default -> throw new IllegalArgumentException("no channel message for " + event.getClass().getSimpleName());
        };
    }

    private Summary failed(BackupFailed failed) {
        List<Fact> facts = new ArrayList<>(List.of(
                fact("label.failedStep", text("stage." + failed.stage())),
                fact("label.reason", failed.reason()),
                fact("label.when", when(failed.occurredAt())),
                fact("label.type", text("trigger." + failed.trigger())),
                fact("label.backupId", failed.backupId())));
        if (failed.nextRetryAt() != null) {
            facts.add(fact("label.nextTry", when(failed.nextRetryAt())));
        }
        return new Summary(format("failed.subject", account), facts, text("advice." + failed.stage()), text("page.open"));
    }

    /** The test message of "send test". */
    Summary test() {
        return new Summary(format("test.subject", account), List.of(), format("test.text", account), text("page.open"));
    }

    private Fact fact(String key, String value) {
        return new Fact(text(key), value);
    }

    private String text(String key) {
        return texts.getString(key);
    }

    private String format(String key, String value) {
        return new MessageFormat(texts.getString(key).replace("'", "''"), texts.getLocale()).format(new Object[] {value});
    }

    private String when(Instant instant) {
        return dates.format(instant) + " (" + zone.getId() + ")";
    }

    /** The account's language if it is one of the four, else English. */
    static Locale locale(String tag) {
        Locale locale = Locale.forLanguageTag(tag == null ? "en" : tag.replace('_', '-'));
        return LANGUAGES.contains(locale.getLanguage()) ? locale : Locale.ENGLISH;
    }

    /** The account's time zone, or UTC when its record names none that exists. */
    public static ZoneId zone(String id) {
        try {
            return ZoneId.of(id);
        } catch (DateTimeException | NullPointerException e) {
            return ZoneId.of("UTC");
        }
    }

    /** A size as people read it: {@code 512 bytes}, {@code 1.5 MB}. */
    public static String size(long bytes) {
        String[] units = {"bytes", "KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " bytes" : String.format(Locale.ENGLISH, "%.1f %s", value, units[unit]);
    }
}
