package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A copy of a stored backup is at a copy destination, read back and verified: its SHA-256 equals the
 * backup's.
 *
 * @param location       where the copy is (the URL never carries a signature or key)
 * @param immutableUntil until when the copy cannot be deleted or overwritten; {@code null} when it can be
 * @param legalHold      whether the copy is under a legal hold (kept until the hold is lifted)
 * @param checks         which integrity checks the copy passed, as {@link BackupCompleted.Check} names or
 *                       {@code CHECKSUM_PER_PART} (S3 checked each part against the CRC it was sent with)
 */
@JsonTypeName("backup.copy.stored")
public record CopyStored(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        String connectionId,
        int attempt,
        BlobLocation location,
        long sizeBytes,
        String sha256,
        Instant immutableUntil,
        boolean legalHold,
        List<String> checks) implements CopyOutcome {

    public static final int CURRENT_VERSION = 1;

    public CopyStored {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(sha256, "sha256");
        attempt = Math.max(attempt, 1);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    /** A copy of {@code backup} stored at {@code connectionId}, passing {@code checks}, kept by no policy. */
    public static CopyStored of(BackupCompleted backup, String connectionId, int attempt, BlobLocation location,
                                List<String> checks, Instant at) {
        return new CopyStored(CURRENT_VERSION, Events.newEventId(), backup.backupId(), backup.accountId(), at,
                connectionId, attempt, location, backup.sizeBytes(), backup.sha256(), null, false, checks);
    }

    /** This copy, kept from deletion until {@code until} (null: by no date) and under a legal hold or not. */
    public CopyStored immutable(Instant until, boolean hold) {
        return new CopyStored(version, eventId, backupId, accountId, occurredAt, connectionId, attempt, location,
                sizeBytes, sha256, until, hold, checks);
    }
}
