package io.backuprelay.notify.sent;

import java.time.Instant;
import java.util.List;

/**
 * What the notifier sent (topic {@code backup.notifications}): under the backupId (or
 * {@code overdue/…}, {@code drill/…}) once all of an event's emails are out, and under
 * {@code mail/<Message-ID>} for the first of two emails as soon as it is out.
 *
 * @param occurredAt when the event that was mailed happened: the record is dropped once that is
 *                   past the horizon (records written before it existed carry {@code sentAt})
 */
public record SentNotification(String backupId, String accountId, String kind, String messageId,
                               List<String> recipients, Instant sentAt, Instant occurredAt) {

    public SentNotification {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
        occurredAt = occurredAt == null ? sentAt : occurredAt;
    }
}
