package io.backuprelay.upload;

import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;

/**
 * @param stagingDir    where the dump workers leave archives
 * @param concurrency   uploads running at once in this instance
 * @param blockParallelism blocks of one upload sent at once
 * @param retryBudget   how long transient storage faults are tried again before the backup is given up
 * @param verify        {@code inflight}: the SHA-256 of the bytes sent must be the dump's before the commit
 *                      (and Azure checks each block's MD5); {@code readback}: the committed blob is also
 *                      downloaded and compared
 */
public record UploadWorkerConfig(Path stagingDir, int concurrency, int blockParallelism, Duration shutdownGrace,
                                 Duration retryBudget, UploadHandler.Verification verify) {

    public static final String GROUP_ID = "backuprelay-upload-worker";

    public static UploadWorkerConfig from(ConfigSource config) {
        return new UploadWorkerConfig(
                config.path("BACKUPRELAY_STAGING_DIR", Path.of("data/staging")),
                config.integer("UPLOAD_WORKER_CONCURRENCY", 2, 1, 64),
                config.integer("UPLOAD_BLOCK_PARALLELISM", 4, 1, 64),
                config.duration("UPLOAD_SHUTDOWN_GRACE", Duration.ofSeconds(30)),
                config.duration("UPLOAD_RETRY_BUDGET", Duration.ofMinutes(30)),
                verification(config.string("UPLOAD_VERIFY", "inflight")));
    }

    private static UploadHandler.Verification verification(String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "inflight" -> UploadHandler.Verification.INFLIGHT;
            case "readback" -> UploadHandler.Verification.READBACK;
            default -> throw new io.backuprelay.common.config.ConfigException("UPLOAD_VERIFY",
                    "must be inflight or readback, is '" + value + "'");
        };
    }
}
