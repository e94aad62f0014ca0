package io.backuprelay.dump;

import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;

/**
 * @param stagingDir        where archives wait for upload; shared with the upload workers
 * @param concurrency       dumps running at once in this instance
 * @param zstdLevel         1 (fastest) to 19; 3 is zstd's own default
 * @param shutdownGrace     how long running dumps may go on after SIGTERM
 */
public record DumpWorkerConfig(Path stagingDir, int concurrency, int zstdLevel, Duration shutdownGrace) {

    public static final String GROUP_ID = "backuprelay-dump-worker";

    public static DumpWorkerConfig from(ConfigSource config) {
        return new DumpWorkerConfig(
                config.path("BACKUPRELAY_STAGING_DIR", Path.of("data/staging")),
                config.integer("DUMP_WORKER_CONCURRENCY", 2, 1, 64),
                config.integer("DUMP_ZSTD_LEVEL", 3, 1, 19),
                config.duration("DUMP_SHUTDOWN_GRACE", Duration.ofSeconds(30)));
    }
}
