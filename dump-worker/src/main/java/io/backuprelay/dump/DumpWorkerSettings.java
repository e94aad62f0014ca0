package io.backuprelay.dump;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.format.archive.Compression;
import java.time.Duration;
import java.util.List;

/** What the dump worker reads, declared once (with the shared staging directory and master key). */
public final class DumpWorkerSettings {

    public static final Setting<Integer> CONCURRENCY = Setting.integer("DUMP_WORKER_CONCURRENCY", 2, 1, 64,
            "dumps at once in one instance");
    public static final Setting<String> COMPRESSION = Setting.text("DUMP_COMPRESSION", Compression.ZSTD.label(),
            Compression.ZSTD + " or " + Compression.GZIP);
    public static final Setting<Integer> ZSTD_LEVEL = Setting.integer("DUMP_ZSTD_LEVEL", 3, 1, 19, "1–19");
    public static final Setting<Integer> ZSTD_WORKERS = Setting.integer("DUMP_ZSTD_WORKERS", 0, 0, 64,
            "extra " + Compression.ZSTD + " threads per dump");
    public static final Setting<Duration> SHUTDOWN_GRACE = Setting.duration("DUMP_SHUTDOWN_GRACE", Duration.ofSeconds(30),
            "running dumps may finish within this after SIGTERM");
    public static final Setting<Duration> STALL_TIMEOUT = Setting.duration("DUMP_STALL_TIMEOUT", Duration.ofMinutes(10),
            "a dump tool that writes nothing this long is stopped");
    public static final Setting<Integer> MIN_FREE_MB = Setting.integer("DUMP_MIN_FREE_MB", 1024, 0, Integer.MAX_VALUE,
            "free space a dump needs in staging to start");
    public static final Setting<Duration> ORPHAN_AGE = Setting.duration("DUMP_ORPHAN_AGE", Duration.ofHours(48),
            "staging files of no live backup older than this are removed");
    public static final Setting<Duration> SPACE_WAIT = Setting.duration("DUMP_SPACE_WAIT", Duration.ofMinutes(10),
            "how long a dump waits for free space");
    public static final Setting<Duration> SUPERSEDED_AGE = Setting.duration("DUMP_SUPERSEDED_AGE", Duration.ofMinutes(10),
            "staging files of a succeeded backup are removed once this old");
    public static final Setting<Integer> INTERRUPTION_RETRIES = Setting.integer("DUMP_INTERRUPTION_RETRIES", 2, 0, 10,
            "more tries of a dump whose session the source ended");
    public static final Setting<Duration> INTERRUPTION_BACKOFF = Setting.duration("DUMP_INTERRUPTION_BACKOFF",
            Duration.ofSeconds(5), "the wait before the first of those tries, doubling; at most PT1M");
    public static final Setting<Duration> LOCK_WAIT = Setting.duration("DUMP_LOCK_WAIT", DumpJob.DEFAULT_LOCK_WAIT,
            "how long a dump waits for another dump of the same account");

    public static final List<Setting<?>> ALL = List.of(CommonSettings.STAGING_DIR, CONCURRENCY, COMPRESSION, ZSTD_LEVEL,
            ZSTD_WORKERS, SHUTDOWN_GRACE, STALL_TIMEOUT, MIN_FREE_MB, ORPHAN_AGE, SPACE_WAIT, SUPERSEDED_AGE,
            INTERRUPTION_RETRIES, INTERRUPTION_BACKOFF, LOCK_WAIT, SourceTls.CA_FILE, CommonSettings.MASTER_KEY,
            CommonSettings.MASTER_KEY_ID, CommonSettings.MASTER_KEYS);

    private DumpWorkerSettings() {
    }
}
