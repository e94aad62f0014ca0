package io.backuprelay.common.account;

import io.backuprelay.common.event.BackupType;
import java.util.List;
import java.util.Objects;

/**
 * What the account's super-administrator chose (topic {@code backup.settings}).
 *
 * @param restoreDrill how often the verifier restores a backup to prove it (added later; {@code WEEKLY} when absent)
 */
public record BackupSettings(
        String accountId,
        BackupType backupType,
        String destinationConnectionId,
        List<String> notifyEmails,
        List<String> encryptionRecipients,
        Retention retention,
        RestoreDrill restoreDrill) {

    public BackupSettings(String accountId, BackupType backupType, String destinationConnectionId,
                          List<String> notifyEmails, List<String> encryptionRecipients, Retention retention) {
        this(accountId, backupType, destinationConnectionId, notifyEmails, encryptionRecipients, retention, null);
    }

    public BackupSettings {
        restoreDrill = restoreDrill == null ? RestoreDrill.WEEKLY : restoreDrill;
        Objects.requireNonNull(accountId, "accountId");
        backupType = backupType == null ? BackupType.MANUAL : backupType;
        notifyEmails = notifyEmails == null ? List.of() : List.copyOf(notifyEmails);
        encryptionRecipients = encryptionRecipients == null ? List.of() : List.copyOf(encryptionRecipients);
    }
}
