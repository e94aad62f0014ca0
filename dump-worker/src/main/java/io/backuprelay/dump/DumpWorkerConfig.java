package io.backuprelay.dump;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.format.BackupFormatException;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.dump.runner.SourceTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * @param stagingDir    where archives wait for upload; shared with the upload workers
 * @param concurrency   dumps running at once in this instance
 * @param shutdownGrace how long running dumps may go on after SIGTERM
 * @param archive       how archives are compressed
 * @param space         staging's free space and its sweeping
 * @param patience      how long a dump waits, and how often it is tried again
 * @param sourceTls     the CA bundle an account's {@code VERIFY_FULL} connection trusts
 */
public record DumpWorkerConfig(Path stagingDir, int concurrency, Duration shutdownGrace, Archive archive, Space space,
                               Patience patience, SourceTls sourceTls) {

    /**
     * @param compression zstd or gzip (level 1)
     * @param zstdLevel   1 (fastest) to 19; 3 is zstd's own default
     * @param zstdWorkers extra zstd threads per dump (0: compress on the copying thread)
     */
    public record Archive(Compression compression, int zstdLevel, int zstdWorkers) {
    }

    /**
     * @param minFreeBytes  a dump does not start with less free space than this in staging
     * @param spaceWait     how long a dump waits for that space (other backups' uploads free it) before it fails
     * @param orphanAge     staging files of no running dump older than this are swept away
     * @param supersededAge staging files of a backup recorded as succeeded are removed once this old
     */
    public record Space(long minFreeBytes, Duration spaceWait, Duration orphanAge, Duration supersededAge) {
    }

    /**
     * @param stallTimeout        a dump tool that writes nothing for this long is stopped, and the dump fails
     * @param interruptionRetries more tries of a dump whose session the source database ended (0 to 10)
     * @param interruptionBackoff the wait before the first of those tries, doubling before each next one
     * @param lockWait            how long a dump waits for another dump of its account (a frozen worker's) to end
     */
    public record Patience(Duration stallTimeout, int interruptionRetries, Duration interruptionBackoff,
                           Duration lockWait) {
    }

    public static final String GROUP_ID = "backuprelay-dump-worker";
    /** The longest first wait before a retry: with doubling, 10 retries then wait at most about 17 hours. */
    private static final Duration MAX_INTERRUPTION_BACKOFF = Duration.ofMinutes(1);

    public static DumpWorkerConfig from(ConfigSource config) {
        String compression = DumpWorkerSettings.COMPRESSION.read(config).toLowerCase(Locale.ROOT);
        Compression parsed;
        try {
            parsed = Compression.of(compression);
        } catch (BackupFormatException e) {
            parsed = Compression.NONE;
        }
        if (parsed == Compression.NONE) {
            throw new ConfigException(DumpWorkerSettings.COMPRESSION.name(), "must be " + Compression.ZSTD.label() + " or "
                    + Compression.GZIP.label() + ", is '" + compression + "'");
        }
        return new DumpWorkerConfig(CommonSettings.STAGING_DIR.read(config),
                DumpWorkerSettings.CONCURRENCY.read(config), DumpWorkerSettings.SHUTDOWN_GRACE.read(config),
                new Archive(parsed, DumpWorkerSettings.ZSTD_LEVEL.read(config), DumpWorkerSettings.ZSTD_WORKERS.read(config)),
                new Space(DumpWorkerSettings.MIN_FREE_MB.read(config) * 1024L * 1024L,
                        DumpWorkerSettings.SPACE_WAIT.read(config), DumpWorkerSettings.ORPHAN_AGE.read(config),
                        DumpWorkerSettings.SUPERSEDED_AGE.read(config)),
                new Patience(DumpWorkerSettings.STALL_TIMEOUT.read(config),
                        DumpWorkerSettings.INTERRUPTION_RETRIES.read(config), interruptionBackoff(config),
                        DumpWorkerSettings.LOCK_WAIT.read(config)),
                new SourceTls(SourceTls.CA_FILE.read(config)));
    }

    private static Duration interruptionBackoff(ConfigSource config) {
        Duration backoff = DumpWorkerSettings.INTERRUPTION_BACKOFF.read(config);
        if (backoff.compareTo(MAX_INTERRUPTION_BACKOFF) > 0) {
            throw new ConfigException(DumpWorkerSettings.INTERRUPTION_BACKOFF.name(), "must be at most "
                    + MAX_INTERRUPTION_BACKOFF + ", is " + backoff);
        }
        return backoff;
    }

    public Compression compression() {
        return archive.compression();
    }

    public int zstdLevel() {
        return archive.zstdLevel();
    }

    public int zstdWorkers() {
        return archive.zstdWorkers();
    }

    public long minFreeBytes() {
        return space.minFreeBytes();
    }

    public Duration spaceWait() {
        return space.spaceWait();
    }

    public Duration orphanAge() {
        return space.orphanAge();
    }

    public Duration supersededAge() {
        return space.supersededAge();
    }

    public Duration stallTimeout() {
        return patience.stallTimeout();
    }

    public int interruptionRetries() {
        return patience.interruptionRetries();
    }

    public Duration interruptionBackoff() {
        return patience.interruptionBackoff();
    }

    public Duration lockWait() {
        return patience.lockWait();
    }
}
