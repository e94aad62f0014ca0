package io.backuprelay.common.account;

import java.util.List;
import java.util.Objects;

/** What the account's super-administrator chose (topic {@code backup.settings}). */
public record BackupSettings(
        String accountId,
        BackupType backupType,
        String destinationConnectionId,
        List<String> notifyEmails,
        List<String> encryptionRecipients,
        Retention retention) {

    public BackupSettings {
        Objects.requireNonNull(accountId, "accountId");
        backupType = backupType == null ? BackupType.MANUAL : backupType;
        notifyEmails = notifyEmails == null ? List.of() : List.copyOf(notifyEmails);
        encryptionRecipients = encryptionRecipients == null ? List.of() : List.copyOf(encryptionRecipients);
    }
}
