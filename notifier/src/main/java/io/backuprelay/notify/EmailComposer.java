package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** What the email of an outcome says: plain words, dates in the account's time zone, no secret. */
public final class EmailComposer {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm:ss", Locale.ENGLISH);

    public Email compose(BackupOutcome outcome, Account account, List<String> recipients) {
        return switch (outcome) {
            case BackupCompleted completed -> completed(completed, account, recipients);
            case BackupFailed failed -> failed(failed, account, recipients);
        };
    }

    private Email completed(BackupCompleted event, Account account, List<String> recipients) {
        String text = """
                The database backup of %s completed.

                When:             %s
                Type:             %s
                Size:             %s
                Duration:         %s
                Storage account:  %s
                Container:        %s
                Blob:             %s
                SHA-256:          %s
                Backup ID:        %s
                """.formatted(account.displayName(), when(event.endedAt(), account), trigger(event.trigger()),
                size(event.sizeBytes()), duration(event.duration()), event.destination().storageAccount(),
                event.destination().container(), event.destination().blobName(), event.sha256(), event.backupId());
        StringBuilder full = new StringBuilder(text);
        for (String warning : event.warnings()) {
            full.append("\nWarning: ").append(warning).append('\n');
        }
        return new Email(recipients, "Database backup completed — " + account.displayName(), full.toString(),
                messageId(event));
    }

    private Email failed(BackupFailed event, Account account, List<String> recipients) {
        StringBuilder text = new StringBuilder();
        text.append("The database backup of ").append(account.displayName()).append(" failed.\n\n");
        text.append("Failed step:      ").append(event.stage().description()).append('\n');
        text.append("Reason:           ").append(event.reason()).append('\n');
        text.append("When:             ").append(when(event.occurredAt(), account)).append('\n');
        text.append("Type:             ").append(trigger(event.trigger())).append('\n');
        text.append("Backup ID:        ").append(event.backupId()).append('\n');
        if (event.willRetry() && event.nextRetryAt() != null) {
            text.append("Next try:         ").append(when(event.nextRetryAt(), account)).append('\n');
        }
        text.append('\n').append(advice(event.stage())).append('\n');
        return new Email(recipients, "Database backup failed — " + account.displayName(), text.toString(),
                messageId(event));
    }

    private static String advice(FailureStage stage) {
        return switch (stage) {
            case DUMP -> "What you can do: check that the database is reachable and that its registered credentials "
                    + "are current, then press \"Create database backup\" to try again.";
            case UPLOAD -> "What you can do: check the storage connection (storage account, container, access key) "
                    + "in Settings → Auxiliary catalogs → Connections, then press \"Create database backup\" to try again.";
            case TIMEOUT -> "What you can do: press \"Create database backup\" to try again; if it happens again, "
                    + "contact your platform's support.";
        };
    }

    static String messageId(BackupOutcome outcome) {
        return "<" + outcome.backupId() + "." + (outcome instanceof BackupCompleted ? "completed" : "failed")
                + "@backuprelay>";
    }

    private static String when(Instant instant, Account account) {
        ZoneId zone;
        try {
            zone = ZoneId.of(account.timeZone());
        } catch (DateTimeException e) {
            zone = ZoneId.of("UTC");
        }
        return WHEN.withZone(zone).format(instant) + " (" + zone.getId() + ")";
    }

    private static String trigger(Trigger trigger) {
        return switch (trigger) {
            case MANUAL -> "Manual";
            case SCHEDULED -> "Automatic";
            case RETRY -> "Automatic (retry)";
        };
    }

    static String size(long bytes) {
        String[] units = {"bytes", "KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String human = unit == 0 ? bytes + " bytes" : String.format(Locale.ENGLISH, "%.1f %s", value, units[unit]);
        return unit == 0 ? human : human + String.format(Locale.ENGLISH, " (%,d bytes)", bytes);
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
