package io.backuprelay.common.account;

import io.backuprelay.common.event.BackupType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the account's super-administrator chose (topic {@code backup.settings}).
 *
 * @param restoreDrill how often the verifier restores a backup to prove it (added later; {@code WEEKLY} when absent)
 * @param copies       where each stored backup is copied too, each with its own retention (added later; empty when absent)
 * @param window       when automatic backups may start (added later; {@code null}, as in settings written before:
 *                     no window, an automatic backup is due one interval after the last success, at any hour)
 */
public record BackupSettings(
        String accountId,
        BackupType backupType,
        String destinationConnectionId,
        List<String> notifyEmails,
        List<String> encryptionRecipients,
        Retention retention,
        RestoreDrill restoreDrill,
        List<CopyDestination> copies,
        BackupWindow window) {

    public BackupSettings(String accountId, BackupType backupType, String destinationConnectionId,
                          List<String> notifyEmails, List<String> encryptionRecipients, Retention retention,
                          RestoreDrill restoreDrill) {
        this(accountId, backupType, destinationConnectionId, notifyEmails, encryptionRecipients, retention,
                restoreDrill, null, null);
    }

    public BackupSettings(String accountId, BackupType backupType, String destinationConnectionId,
                          List<String> notifyEmails, List<String> encryptionRecipients, Retention retention) {
        this(accountId, backupType, destinationConnectionId, notifyEmails, encryptionRecipients, retention, null, null, null);
    }

    /** These settings with that backup window ({@code null}: none). */
    public BackupSettings withWindow(BackupWindow newWindow) {
        return new BackupSettings(accountId, backupType, destinationConnectionId, notifyEmails, encryptionRecipients,
                retention, restoreDrill, copies, newWindow);
    }

    public BackupSettings {
        restoreDrill = restoreDrill == null ? RestoreDrill.WEEKLY : restoreDrill;
        Objects.requireNonNull(accountId, "accountId");
        backupType = backupType == null ? BackupType.MANUAL : backupType;
        notifyEmails = notifyEmails == null ? List.of() : List.copyOf(notifyEmails);
        encryptionRecipients = encryptionRecipients == null ? List.of() : List.copyOf(encryptionRecipients);
        copies = copies == null ? List.of() : List.copyOf(copies);
    }

    /** The copy destination of that connection, if the account copies there. */
    public Optional<CopyDestination> copyTo(String connectionId) {
        return copies.stream().filter(c -> c.connectionId().equals(connectionId)).findFirst();
    }
}
