package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Engine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A backup is in the account's container, verified.
 *
 * <p>Its format words (the engine, and the archive's format, compression and encryption) are typed, written as
 * the words themselves: an event naming one this version does not know cannot be decoded, so its reader
 * dead-letters it as poison.
 *
 * @param warnings what the super-administrator should act on although this backup succeeded, e.g. a
 *                 SAS token that expires soon (added in version 1; empty when absent)
 * @param connectionId the connection the backup went to (added in version 1; may be absent)
 * @param checks       which integrity checks the blob passed, as {@link Check} names (added in version 1;
 *                     empty when absent: the writer did not say)
 * @param requester    who asked for this manual backup, mailed too (added in version 1; may be absent)
 * @param archive      how the stored blob is written (added in version 1; absent from events written before):
 *                     what a restore drill trusts, rather than the manifest beside the blob, which the
 *                     tenant can rewrite
 * @param immutableUntil until when the stored blob cannot be deleted or overwritten (added in version 1; null
 *                       when it can be, or when the writer did not say)
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
        Engine engine,
        Instant startedAt,
        Instant endedAt,
        List<String> warnings,
        String connectionId,
        List<String> checks,
        Requester requester,
        ArchiveFormat archive,
        Instant immutableUntil) implements BackupOutcome {

    public static final int CURRENT_VERSION = 1;

    /** An integrity check a stored backup passed. */
    public enum Check {
        /** The SHA-256 of the bytes read and sent, in order, equals the dump's; only then was the block list committed. */
        SHA256_OF_BYTES_SENT,
        /** Azure checked each block against the MD5 it was sent with. */
        MD5_PER_BLOCK,
        /** Azure checked each block against the CRC-64/NVME it was sent with ({@code x-ms-content-crc64}) and echoed it. */
        CRC64_PER_BLOCK,
        /** The committed blob was downloaded again and its SHA-256 equals the dump's. */
        READ_BACK_SHA256
    }

    public BackupCompleted {
        version = version == 0 ? CURRENT_VERSION : version;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    /** From the request to the verified blob. */
    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }
}
