package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * Asks the dump worker for one full backup of an account's database.
 *
 * @param slotAt the time the backup stands for: the due slot of an automatic one, the moment of the
 *               click for a manual one. The blob's name derives from it and the backupId, never from
 *               when this event was emitted, so a request emitted twice names one blob (added in
 *               version 1; {@code occurredAt} when absent)
 * @param redumps how many times the upload worker asked for this backup to be dumped again because
 *                the staged archive was not what the dump wrote (added in version 1; 0 when absent)
 * @param requester who asked for a manual backup, to be mailed its outcome in their language (added in
 *                  version 1; absent for automatic backups and for a token without an email)
 */
@JsonTypeName("backup.requested")
public record BackupRequested(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        Trigger trigger,
        int attempt,
        String requestedBy,
        String connectionId,
        Instant slotAt,
        int redumps,
        Requester requester) implements BackupEvent {

    public static final int CURRENT_VERSION = 1;

    public BackupRequested {
        version = version == 0 ? CURRENT_VERSION : version;
        attempt = attempt == 0 ? 1 : attempt;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(connectionId, "connectionId");
        slotAt = slotAt == null ? occurredAt : slotAt;
    }

    /** The same backup once more, from a fresh dump: the staged archive of the last one was not what was dumped. */
    public static BackupRequested redump(DumpReady dump, Instant now) {
        return new BackupRequested(CURRENT_VERSION, Events.newEventId(), dump.backupId(), dump.accountId(), now,
                dump.trigger(), dump.attempt(), dump.requestedBy(), dump.connectionId(), dump.slotAt(), dump.redumps() + 1,
                dump.requester());
    }

    /**
     * An automatic request for the due slot {@code dueSlot}: its backupId derives from the account,
     * the slot and the attempt, so a repeated request is the same backup.
     */
    public static BackupRequested scheduled(String accountId, String connectionId, Instant dueSlot, int attempt,
                                            Instant now) {
        return new BackupRequested(CURRENT_VERSION, Events.newEventId(), BackupIds.scheduled(accountId, dueSlot, attempt),
                accountId, now, attempt > 1 ? Trigger.RETRY : Trigger.SCHEDULED, attempt, "scheduler", connectionId,
                dueSlot, 0, null);
    }

    /** A manual request: a fresh time-ordered backupId. */
    public static BackupRequested manual(String accountId, String connectionId, String requestedBy, Instant now) {
        return manual(accountId, connectionId, requestedBy, null, now);
    }

    /** A manual request by someone who is mailed its outcome ({@code requester}; may be {@code null}). */
    public static BackupRequested manual(String accountId, String connectionId, String requestedBy, Requester requester,
                                         Instant now) {
        return new BackupRequested(CURRENT_VERSION, Events.newEventId(), BackupIds.newManual(now), accountId, now,
                Trigger.MANUAL, 1, requestedBy, connectionId, now, 0, requester);
    }
}
