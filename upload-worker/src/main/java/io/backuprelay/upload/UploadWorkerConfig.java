package io.backuprelay.upload;

import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;

/**
 * @param stagingDir    where the dump workers leave archives
 * @param concurrency   uploads running at once in this instance
 * @param blockParallelism blocks of one upload sent at once
 * @param retryBudget   how long transient storage faults are tried again before the backup is given up
 */
public record UploadWorkerConfig(Path stagingDir, int concurrency, int blockParallelism, Duration shutdownGrace,
                                 Duration retryBudget) {

    public static final String GROUP_ID = "backuprelay-upload-worker";

    public static UploadWorkerConfig from(ConfigSource config) {
        return new UploadWorkerConfig(
                config.path("BACKUPRELAY_STAGING_DIR", Path.of("data/staging")),
                config.integer("UPLOAD_WORKER_CONCURRENCY", 2, 1, 64),
                config.integer("UPLOAD_BLOCK_PARALLELISM", 4, 1, 64),
                config.duration("UPLOAD_SHUTDOWN_GRACE", Duration.ofSeconds(30)),
                config.duration("UPLOAD_RETRY_BUDGET", Duration.ofMinutes(30)));
    }
}
