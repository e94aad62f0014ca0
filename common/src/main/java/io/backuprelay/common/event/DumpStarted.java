package io.backuprelay.common.event;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import java.time.Instant;
import java.util.Objects;

/**
 * A dump worker has begun writing an archive (on {@code backup.dumps}, keyed by account, so it comes
 * before the attempt's {@code DumpReady}). The upload worker may send the archive's blocks while the
 * dump writes them: the file grows by appending only, and gets its final name only when whole.
 *
 * <p>Its format words (engine, format, compression, encryption) are typed, written as the words themselves: an
 * event naming one this version does not know cannot be decoded, so its worker dead-letters it as poison.
 *
 * @param partialFile the file the dump writes, in the shared staging directory
 * @param stagingFile the name it gets when whole: the {@code DumpReady.stagingFile} of this attempt
 * @param format      how the dump tool writes it, e.g. {@code pg_dump-custom} (names the blob)
 * @param compression e.g. {@code zstd}
 * @param encryption  {@code none}, or the scheme the archive is encrypted with
 * @param slotAt      the request's slot, which names the blob
 */
@JsonTypeName("dump.started")
public record DumpStarted(
        int version,
        String eventId,
        String backupId,
        String accountId,
        Instant occurredAt,
        String connectionId,
        String partialFile,
        String stagingFile,
        Engine engine,
        DumpFormat format,
        Compression compression,
        Encryption encryption,
        Instant slotAt,
        int attempt) implements BackupEvent {

    public static final int CURRENT_VERSION = 1;

    public DumpStarted {
        version = version == 0 ? CURRENT_VERSION : version;
        attempt = attempt == 0 ? 1 : attempt;
        encryption = encryption == null ? Encryption.NONE : encryption;
        Events.requireCommon(eventId, backupId, accountId, occurredAt);
        Objects.requireNonNull(partialFile, "partialFile");
        Objects.requireNonNull(stagingFile, "stagingFile");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(slotAt, "slotAt");
    }

    /** The dump of {@code request} begins writing {@code partialFile}, an archive of {@code engine} written as {@code archive}. */
    public static DumpStarted of(BackupRequested request, String partialFile, String stagingFile, Engine engine,
                                 ArchiveFormat archive, Instant now) {
        return new DumpStarted(CURRENT_VERSION, Events.newEventId(), request.backupId(), request.accountId(), now,
                request.connectionId(), partialFile, stagingFile, engine, archive.format(),
                archive.compression(), archive.encryption(), request.slotAt(), request.attempt());
    }

    /** How the archive is written, as the blob name's extension spells it. */
    public ArchiveFormat archiveFormat() {
        return new ArchiveFormat(format, compression, encryption);
    }
}
