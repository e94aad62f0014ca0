package io.backuprelay.notify;

import java.time.Instant;
import java.util.List;

/** What the notifier sent for a backup (topic {@code backup.notifications}, key backupId). */
public record SentNotification(String backupId, String accountId, String kind, String messageId,
                               List<String> recipients, Instant sentAt) {
}
