package io.backuprelay.dump;

import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.BackupFormatException;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * @param stagingDir        where archives wait for upload; shared with the upload workers
 * @param concurrency       dumps running at once in this instance
 * @param compression       zstd or gzip (level 1)
 * @param zstdLevel         1 (fastest) to 19; 3 is zstd's own default
 * @param zstdWorkers       extra zstd threads per dump (0: compress on the copying thread)
 * @param shutdownGrace     how long running dumps may go on after SIGTERM
 * @param stallTimeout      a dump tool that writes nothing for this long is stopped, and the dump fails
 * @param minFreeBytes      a dump does not start with less free space than this in staging
 * @param spaceWait         how long a dump waits for that space (other backups' uploads free it) before it fails
 * @param supersededAge     staging files of a backup recorded as succeeded are removed once this old
 * @param orphanAge         staging files of no running dump older than this are swept away
 * @param interruptionRetries  more tries of a dump whose session the source database ended (0 to 10)
 * @param interruptionBackoff  the wait before the first of those tries, doubling before each next one
 * @param lockWait          how long a dump waits for another dump of its account (a frozen worker's) to end
 */
public record DumpWorkerConfig(Path stagingDir, int concurrency, Compression compression, int zstdLevel,
                               int zstdWorkers, Duration shutdownGrace, Duration stallTimeout, long minFreeBytes,
                               Duration orphanAge, Duration spaceWait, Duration supersededAge,
                               int interruptionRetries, Duration interruptionBackoff, Duration lockWait) {

    public static final String GROUP_ID = "backuprelay-dump-worker";
    /** The longest first wait before a retry: with doubling, 10 retries then wait at most about 17 hours. */
    private static final Duration MAX_INTERRUPTION_BACKOFF = Duration.ofMinutes(1);

    public static DumpWorkerConfig from(ConfigSource config) {
        String compression = config.string("DUMP_COMPRESSION", Compression.ZSTD.label()).toLowerCase(Locale.ROOT);
        Compression parsed;
        try {
            parsed = Compression.of(compression);
        } catch (BackupFormatException e) {
            parsed = Compression.NONE;
        }
        if (parsed == Compression.NONE) {
            throw new ConfigException("DUMP_COMPRESSION", "must be " + Compression.ZSTD.label() + " or "
                    + Compression.GZIP.label() + ", is '" + compression + "'");
        }
        return new DumpWorkerConfig(
                config.path("BACKUPRELAY_STAGING_DIR", Path.of("data/staging")),
                config.integer("DUMP_WORKER_CONCURRENCY", 2, 1, 64),
                parsed,
                config.integer("DUMP_ZSTD_LEVEL", 3, 1, 19),
                config.integer("DUMP_ZSTD_WORKERS", 0, 0, 64),
                config.duration("DUMP_SHUTDOWN_GRACE", Duration.ofSeconds(30)),
                config.duration("DUMP_STALL_TIMEOUT", Duration.ofMinutes(10)),
                config.integer("DUMP_MIN_FREE_MB", 1024, 0, Integer.MAX_VALUE) * 1024L * 1024L,
                config.duration("DUMP_ORPHAN_AGE", Duration.ofHours(48)),
                config.duration("DUMP_SPACE_WAIT", Duration.ofMinutes(10)),
                config.duration("DUMP_SUPERSEDED_AGE", Duration.ofMinutes(10)),
                config.integer("DUMP_INTERRUPTION_RETRIES", 2, 0, 10),
                interruptionBackoff(config),
                config.duration("DUMP_LOCK_WAIT", io.backuprelay.dump.DumpJob.DEFAULT_LOCK_WAIT));
    }

    private static Duration interruptionBackoff(ConfigSource config) {
        Duration backoff = config.duration("DUMP_INTERRUPTION_BACKOFF", Duration.ofSeconds(5));
        if (backoff.compareTo(MAX_INTERRUPTION_BACKOFF) > 0) {
            throw new ConfigException("DUMP_INTERRUPTION_BACKOFF", "must be at most " + MAX_INTERRUPTION_BACKOFF
                    + ", is " + backoff);
        }
        return backoff;
    }
}
