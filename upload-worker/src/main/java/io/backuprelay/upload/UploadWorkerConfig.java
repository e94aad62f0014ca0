package io.backuprelay.upload;

import io.backuprelay.blob.AzureBlobStore;
import io.backuprelay.blob.AzureBlobStore.BlockChecksum;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * @param stagingDir    where the dump workers leave archives
 * @param concurrency   uploads running at once in this instance
 * @param shutdownGrace how long running uploads may go on after SIGTERM
 * @param retryBudget   how long transient storage faults are tried again before the backup is given up
 * @param transfer      how the blocks are sent and checked
 * @param overlap       whether, and how long, an archive being dumped is followed
 * @param endpoints     where connections may send requests ({@code BACKUPRELAY_ALLOWED_ENDPOINTS}), before the
 *                      accounts' grants are bound
 */
public record UploadWorkerConfig(Path stagingDir, int concurrency, Duration shutdownGrace, Duration retryBudget,
                                 Transfer transfer, Overlap overlap, EndpointPolicy endpoints) {

    /**
     * @param blockParallelism blocks of one upload sent at once
     * @param verify           {@code inflight}: the SHA-256 of the bytes sent must be the dump's before the commit
     *                         (and Azure checks each block's MD5); {@code readback}: the committed blob is also
     *                         downloaded and compared
     * @param checksum         what each block carries for Azure to check: CRC-64/NVME (falling back to MD5 where
     *                         the service does not confirm it), or MD5
     */
    public record Transfer(int blockParallelism, UploadHandler.Verification verify, BlockChecksum checksum) {
    }

    /**
     * @param enabled whether the blocks of an archive are sent while the dump still writes it ({@code DumpStarted})
     * @param idle    how long an archive being dumped may stay the same size before its upload stops
     *                following it and waits for {@code DumpReady}
     */
    public record Overlap(boolean enabled, Duration idle) {
    }

    public static final String GROUP_ID = "backuprelay-upload-worker";

    public static UploadWorkerConfig from(ConfigSource config) {
        return new UploadWorkerConfig(CommonSettings.STAGING_DIR.read(config),
                UploadWorkerSettings.CONCURRENCY.read(config), UploadWorkerSettings.SHUTDOWN_GRACE.read(config),
                UploadWorkerSettings.RETRY_BUDGET.read(config),
                new Transfer(UploadWorkerSettings.BLOCK_PARALLELISM.read(config),
                        verification(UploadWorkerSettings.VERIFY.read(config)),
                        checksum(UploadWorkerSettings.BLOCK_CHECKSUM.read(config))),
                new Overlap(UploadWorkerSettings.OVERLAP.read(config), UploadWorkerSettings.OVERLAP_IDLE.read(config)),
                EndpointPolicy.from(config));
    }

    /** The same, sending requests where {@code endpoints} allows. */
    public UploadWorkerConfig withEndpoints(EndpointPolicy endpoints) {
        return new UploadWorkerConfig(stagingDir, concurrency, shutdownGrace, retryBudget, transfer, overlap, endpoints);
    }

    public int blockParallelism() {
        return transfer.blockParallelism();
    }

    public UploadHandler.Verification verify() {
        return transfer.verify();
    }

    public BlockChecksum checksum() {
        return transfer.checksum();
    }

    /** Whether archives being dumped are followed. */
    public boolean overlapping() {
        return overlap.enabled();
    }

    public Duration overlapIdle() {
        return overlap.idle();
    }

    private static BlockChecksum checksum(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "crc64" -> BlockChecksum.CRC64;
            case "md5" -> BlockChecksum.MD5;
            default -> throw new ConfigException(UploadWorkerSettings.BLOCK_CHECKSUM.name(),
                    "must be crc64 or md5, is '" + value + "'");
        };
    }

    private static UploadHandler.Verification verification(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "inflight" -> UploadHandler.Verification.INFLIGHT;
            case "readback" -> UploadHandler.Verification.READBACK;
            default -> throw new ConfigException(UploadWorkerSettings.VERIFY.name(),
                    "must be inflight or readback, is '" + value + "'");
        };
    }
}
