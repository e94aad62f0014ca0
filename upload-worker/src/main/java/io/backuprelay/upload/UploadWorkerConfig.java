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
 * @param overlap       whether the blocks of an archive are sent while the dump still writes it ({@code DumpStarted})
 * @param overlapIdle   how long an archive being dumped may stay the same size before its upload stops
 *                      following it and waits for {@code DumpReady}
 * @param checksum      what each block carries for Azure to check: CRC-64/NVME (falling back to MD5 where the
 *                      service does not confirm it), or MD5
 */
public record UploadWorkerConfig(Path stagingDir, int concurrency, int blockParallelism, Duration shutdownGrace,
                                 Duration retryBudget, UploadHandler.Verification verify, boolean overlap,
                                 Duration overlapIdle, io.backuprelay.blob.BlobStore.BlockChecksum checksum) {


    public static final String GROUP_ID = "backuprelay-upload-worker";

    public static UploadWorkerConfig from(ConfigSource config) {
        return new UploadWorkerConfig(
                config.path("BACKUPRELAY_STAGING_DIR", Path.of("data/staging")),
                config.integer("UPLOAD_WORKER_CONCURRENCY", 2, 1, 64),
                config.integer("UPLOAD_BLOCK_PARALLELISM", 4, 1, 64),
                config.duration("UPLOAD_SHUTDOWN_GRACE", Duration.ofSeconds(30)),
                config.duration("UPLOAD_RETRY_BUDGET", Duration.ofMinutes(30)),
                verification(config.string("UPLOAD_VERIFY", "inflight")),
                config.bool("UPLOAD_OVERLAP", true),
                config.duration("UPLOAD_OVERLAP_IDLE", Duration.ofMinutes(15)),
                checksum(config.string("UPLOAD_BLOCK_CHECKSUM", "crc64")));
    }

    private static io.backuprelay.blob.BlobStore.BlockChecksum checksum(String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "crc64" -> io.backuprelay.blob.BlobStore.BlockChecksum.CRC64;
            case "md5" -> io.backuprelay.blob.BlobStore.BlockChecksum.MD5;
            default -> throw new io.backuprelay.common.config.ConfigException("UPLOAD_BLOCK_CHECKSUM",
                    "must be crc64 or md5, is '" + value + "'");
        };
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
