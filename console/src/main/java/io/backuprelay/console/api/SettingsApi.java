package io.backuprelay.console.api;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.activity.Changes;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupWindow;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.RestoreDrill;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.CopyDestination;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.console.activity.ActivityLog;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** The "Database backup" section: type, destination, and where the account stands. */
public final class SettingsApi {

    private static final DateTimeFormatter HOURS_MINUTES = DateTimeFormatter.ofPattern("HH:mm");

    private final ConsoleData data;
    private final PendingBackups pending;

    private final Limits limits;
    private final String platformName;
    private final ActivityLog activity;

    public SettingsApi(ConsoleData data, PendingBackups pending, Limits limits, String platformName,
                       ActivityLog activity) {
        this.activity = activity;
        this.data = data;
        this.pending = pending;
        this.limits = limits;
        this.platformName = platformName;
    }

    public record RetentionBody(Integer keepLast, Integer maxAgeDays) {
    }

    /**
     * @param copies connections that receive a copy of each stored backup, each with its own retention
     *               ({@code null}: keep every copy); absent or {@code null}: none
     * @param window when automatic backups may start; absent or {@code null}: at any hour
     */
    public record SettingsBody(BackupType backupType, String destinationConnectionId, List<String> notifyEmails,
                               List<String> encryptionRecipients, RetentionBody retention, RestoreDrill restoreDrill,
                               List<CopyBody> copies, WindowBody window) {
    }

    /** A backup window: {@code start} as {@code "HH:mm"}, its length, and its zone (absent: the account's). */
    public record WindowBody(String start, Integer lengthMinutes, String timeZone) {
    }

    /** One copy destination: a connection of the account other than the destination, and how many copies it keeps. */
    public record CopyBody(String connectionId, RetentionBody retention) {
    }

    /**
     * @param lastBackupAt          {@code null} means "Never"
     * @param lastVerifiedRestoreAt when the restore drill last proved one of the recent backups; {@code null}: never
     * @param platformName          the platform's name, for the page's subtitle; {@code null}: none was given
     * @param copies                where each stored backup is copied, with each copy destination's retention
     * @param window                when automatic backups may start; {@code null}: at any hour. The page shows
     *                              {@code nextDueAt} in its zone
     */
    public record SettingsView(String accountId, String displayName, String locale, String timeZone,
                               BackupType backupType, String destinationConnectionId, List<String> notifyEmails,
                               List<String> encryptionRecipients, Retention retention, Instant lastBackupAt,
                               Instant nextDueAt, ScheduleState state, String inFlightBackupId, String pausedReason,
                               RestoreDrill restoreDrill, Instant lastVerifiedRestoreAt, String platformName,
                               List<CopyDestination> copies, BackupWindow window) {
    }

    public void get(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Requests.superadminOf(ctx, accountId);
        Requests.readYourWrites(ctx, data);
        ctx.json(view(accountId));
    }

    private SettingsView view(String accountId) {
        Account account = registered(accountId);
        BackupSettings settings = data.settings(accountId)
                .orElse(new BackupSettings(accountId, BackupType.MANUAL, null, null, null, null));
        BackupStatus status = pending.onto(accountId,
                data.status(accountId).orElseGet(() -> BackupStatus.unseen(accountId, settings.backupType())));
        String inFlight = status.inFlight() == null ? null : status.inFlight().backupId();
        return new SettingsView(accountId, account.displayName(), account.locale(), account.timeZone(),
                settings.backupType(), settings.destinationConnectionId(), settings.notifyEmails(),
                settings.encryptionRecipients(), settings.retention(), status.lastSuccessAt(), status.nextDueAt(),
                status.state(), inFlight, status.pausedReason(), settings.restoreDrill(),
                status.lastVerifiedRestore().map(o -> o.restoreCheck().checkedAt()).orElse(null), platformName,
                settings.copies(), settings.window());
    }

    public void put(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Requests.superadminOf(ctx, accountId);
        data.catchUp(); // the destination is checked against the connections as they are now
        registered(accountId);
        SettingsBody body = Requests.body(ctx, SettingsBody.class);
        BackupType type = Validate.required("backupType", body.backupType());
        String destination = body.destinationConnectionId() == null || body.destinationConnectionId().isBlank()
                ? null : body.destinationConnectionId();
        if (destination != null || type != BackupType.MANUAL) {
            if (destination == null) {
                throw ApiException.invalid("destinationConnectionId", "is required for an automatic backup type")
                        .key("destinationRequired");
            }
            Connection connection = data.connection(accountId, destination).orElseThrow(() -> ApiException.invalid(
                    "destinationConnectionId", "names no connection of this account: '" + destination + "'")
                    .key("noSuchConnection"));
            if (connection.isS3()) {
                throw ApiException.invalid("destinationConnectionId", "names an S3 connection: '" + destination
                        + "' can receive copies, but backups are written first to an Azure container").key("destinationIsS3");
            }
            if (type != BackupType.MANUAL && !connection.enabledForAutomaticBackup()) {
                throw ApiException.invalid("destinationConnectionId", "names a connection that is not enabled for"
                        + " automatic backup: '" + destination + "'").key("destinationNotEnabled");
            }
        }
        Retention retention = retention("retention", body.retention());
        if (body.notifyEmails() != null && body.notifyEmails().size() > limits.notifyEmails()) {
            throw ApiException.invalid("notifyEmails", "may list at most " + limits.notifyEmails() + " addresses");
        }
        if (body.encryptionRecipients() != null && body.encryptionRecipients().size() > limits.encryptionRecipients()) {
            throw ApiException.invalid("encryptionRecipients", "may list at most " + limits.encryptionRecipients()
                    + " recipients");
        }
        BackupSettings settings = new BackupSettings(accountId, type, destination,
                Validate.emails("notifyEmails", body.notifyEmails(), false),
                Validate.ageRecipients("encryptionRecipients", body.encryptionRecipients()), retention,
                body.restoreDrill(), copies(accountId, destination, body.copies()),
                window(body.window(), registered(accountId)));
        activity.record(Requests.principal(ctx), accountId, ActivityAction.SETTINGS_CHANGED, null,
                Changes.between(data.settings(accountId).orElse(new BackupSettings(accountId, BackupType.MANUAL, null,
                        null, null, null)), settings)); // before the first save: the settings the page showed
        ViewPosition written = data.write(ViewPosition.View.SETTINGS, accountId, settings);
        Requests.wrote(ctx, written);
        data.readAfter(written, accountId);
        ctx.json(view(accountId));
    }

    private static Retention retention(String field, RetentionBody body) {
        return body == null ? null : new Retention(
                Validate.range(field + ".keepLast", body.keepLast(), 1, 10_000),
                Validate.range(field + ".maxAgeDays", body.maxAgeDays(), 1, 36_500));
    }

    /** The window asked for, in the zone asked for or else the account's; {@code null} when none is. */
    private static BackupWindow window(WindowBody body, Account account) {
        if (body == null) {
            return null;
        }
        String start = Validate.required("window.start", body.start());
        LocalTime opens;
        try {
            opens = LocalTime.parse(start, HOURS_MINUTES);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("window.start", "must be a time of day as HH:mm, such as 01:00, is '" + start + "'");
        }
        int length = Validate.range("window.lengthMinutes", Validate.required("window.lengthMinutes",
                body.lengthMinutes()), BackupWindow.MIN_LENGTH_MINUTES, BackupWindow.MAX_LENGTH_MINUTES);
        String zone = body.timeZone() == null || body.timeZone().isBlank() ? account.timeZone() : body.timeZone();
        return new BackupWindow(opens, length, Validate.timeZone("window.timeZone", zone));
    }

    /** Each a connection of the account, other than the destination, named once. */
    private List<CopyDestination> copies(String accountId, String destination, List<CopyBody> bodies) {
        if (bodies == null) {
            return List.of();
        }
        List<CopyDestination> copies = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            String field = "copies[" + i + "]";
            CopyBody body = Validate.required(field, bodies.get(i));
            String connectionId = Validate.required(field + ".connectionId", body.connectionId());
            if (data.connection(accountId, connectionId).isEmpty()) {
                throw ApiException.invalid(field + ".connectionId", "names no connection of this account: '"
                        + connectionId + "'").key("copyNoSuchConnection");
            }
            if (connectionId.equals(destination)) {
                throw ApiException.invalid(field + ".connectionId", "is the destination itself: a copy goes to another"
                        + " connection").key("copyIsDestination");
            }
            if (copies.stream().anyMatch(c -> c.connectionId().equals(connectionId))) {
                throw ApiException.invalid(field + ".connectionId", "names '" + connectionId + "' a second time")
                        .key("copyTwice");
            }
            copies.add(new CopyDestination(connectionId, retention(field + ".retention", body.retention())));
        }
        return copies;
    }

    private Account registered(String accountId) {
        return data.account(accountId)
                .orElseThrow(() -> ApiException.notFound("Account '" + accountId + "' is not registered"));
    }
}
