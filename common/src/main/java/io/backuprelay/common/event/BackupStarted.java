package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Objects;

/**
 * A dump worker has started a backup (on {@code backup.outcomes}, keyed by account). The
 * scheduler counts a backup's in-flight timeout from here, not from the request, so a backup that
 * waits in a queue is never declared timed out, nor requested twice.
 *
 * @param worker the instance that runs it
 */
@JsonTypeName("backup.started")
public record BackupStarted(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        Trigger trigger,
        int attempt,
        String worker) implements BackupEvent {

    public static final int CURRENT_VERSION = 1;

    public BackupStarted {
        version = version == 0 ? CURRENT_VERSION : version;
        attempt = attempt == 0 ? 1 : attempt;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(trigger, "trigger");
    }

    public static BackupStarted of(BackupRequested request, String worker, Instant now) {
        return new BackupStarted(CURRENT_VERSION, Events.newEventId(), request.backupId(), request.accountId(), now,
                request.trigger(), request.attempt(), worker);
    }
}
