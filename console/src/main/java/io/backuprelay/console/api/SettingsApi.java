package io.backuprelay.console.api;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.RestoreDrill;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;

/** The "Database backup" section: type, destination, and where the account stands. */
public final class SettingsApi {

    private final ConsoleData data;
    private final PendingBackups pending;

    private final Limits limits;
    private final String platformName;

    public SettingsApi(ConsoleData data, PendingBackups pending, Limits limits, String platformName) {
        this.data = data;
        this.pending = pending;
        this.limits = limits;
        this.platformName = platformName;
    }

    public record RetentionBody(Integer keepLast, Integer maxAgeDays) {
    }

    public record SettingsBody(BackupType backupType, String destinationConnectionId, List<String> notifyEmails,
                               List<String> encryptionRecipients, RetentionBody retention, RestoreDrill restoreDrill) {
    }

    /**
     * @param lastBackupAt          {@code null} means "Never"
     * @param lastVerifiedRestoreAt when the restore drill last proved one of the recent backups; {@code null}: never
     * @param platformName          the platform's name, for the page's subtitle
     */
    public record SettingsView(String accountId, String displayName, String locale, String timeZone,
                               BackupType backupType, String destinationConnectionId, List<String> notifyEmails,
                               List<String> encryptionRecipients, Retention retention, Instant lastBackupAt,
                               Instant nextDueAt, ScheduleState state, String inFlightBackupId, String pausedReason,
                               RestoreDrill restoreDrill, Instant lastVerifiedRestoreAt, String platformName) {
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
                status.lastVerifiedRestore().map(o -> o.restoreCheck().checkedAt()).orElse(null), platformName);
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
            if (type != BackupType.MANUAL && !connection.enabledForAutomaticBackup()) {
                throw ApiException.invalid("destinationConnectionId", "names a connection that is not enabled for"
                        + " automatic backup: '" + destination + "'").key("destinationNotEnabled");
            }
        }
        Retention retention = body.retention() == null ? null : new Retention(
                Validate.range("retention.keepLast", body.retention().keepLast(), 1, 10_000),
                Validate.range("retention.maxAgeDays", body.retention().maxAgeDays(), 1, 36_500));
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
                body.restoreDrill());
        ViewPosition written = data.write(ViewPosition.View.SETTINGS, accountId, settings);
        Requests.wrote(ctx, written);
        data.readAfter(written, accountId);
        ctx.json(view(accountId));
    }

    private Account registered(String accountId) {
        return data.account(accountId)
                .orElseThrow(() -> ApiException.notFound("Account '" + accountId + "' is not registered"));
    }
}
