package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A backup is in the account's container, verified.
 *
 * @param warnings what the super-administrator should act on although this backup succeeded, e.g. a
 *                 SAS token that expires soon (added in version 1; empty when absent)
 * @param connectionId the connection the backup went to (added in version 1; may be absent)
 */
@JsonTypeName("backup.completed")
public record BackupCompleted(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        Trigger trigger,
        BlobLocation destination,
        long sizeBytes,
        String sha256,
        String engine,
        Instant startedAt,
        Instant endedAt,
        java.util.List<String> warnings,
        String connectionId) implements BackupOutcome {

    public static final int CURRENT_VERSION = 1;

    public BackupCompleted {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        warnings = warnings == null ? java.util.List.of() : java.util.List.copyOf(warnings);
    }

    public BackupCompleted(int version, String eventId, String backupId, String accountId, Instant occurredAt,
                           Trigger trigger, BlobLocation destination, long sizeBytes, String sha256, String engine,
                           Instant startedAt, Instant endedAt) {
        this(version, eventId, backupId, accountId, occurredAt, trigger, destination, sizeBytes, sha256, engine,
                startedAt, endedAt, java.util.List.of(), null);
    }

    /** From the request to the verified blob. */
    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }
}
