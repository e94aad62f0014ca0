package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A complete archive waits in staging for upload.
 *
 * <p>Its format words (engine, format, compression, encryption) are typed, written as the words themselves: an
 * event naming one this version does not know cannot be decoded, so its worker dead-letters it as poison.
 *
 * @param stagingFile the archive's file name inside the shared staging directory
 * @param format      how the dump tool wrote it, e.g. {@code pg_dump-custom}
 * @param compression e.g. {@code zstd}
 * @param encryption  {@code none}, or the scheme the archive is encrypted with
 * @param attempt     the attempt of the request it was made for (added in version 1; 1 when absent)
 * @param manifestFile the JSON manifest's file name in staging, beside the archive (added in version 1; may be absent)
 * @param slotAt      the request's slot, which names the blob (added in version 1; {@code requestedAt} when absent)
 * @param requestedBy who asked for the backup, as the request said (added in version 1; may be absent)
 * @param redumps     the request's count of fresh dumps (added in version 1; 0 when absent)
 * @param requester   the request's requester (added in version 1; may be absent)
 * @param warnings    what the archive may lack although the dump succeeded, e.g. routines its user cannot
 *                    read (added in version 1; empty when absent)
 */
@JsonTypeName("dump.ready")
public record DumpReady(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        Trigger trigger,
        String connectionId,
        Instant requestedAt,
        String stagingFile,
        long sizeBytes,
        String sha256,
        Engine engine,
        String serverVersion,
        DumpFormat format,
        Compression compression,
        Encryption encryption,
        Instant dumpStartedAt,
        Instant dumpEndedAt,
        int attempt,
        String manifestFile,
        Instant slotAt,
        String requestedBy,
        int redumps,
        List<String> warnings,
        Requester requester) implements BackupEvent {

    public static final int CURRENT_VERSION = 1;

    public DumpReady {
        version = version == 0 ? CURRENT_VERSION : version;
        encryption = encryption == null ? Encryption.NONE : encryption;
        attempt = attempt == 0 ? 1 : attempt;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(stagingFile, "stagingFile");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(compression, "compression");
        slotAt = slotAt == null ? requestedAt : slotAt;
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** How the archive is written, as the blob name's extension spells it. */
    public ArchiveFormat archiveFormat() {
        return new ArchiveFormat(format, compression, encryption);
    }
}
