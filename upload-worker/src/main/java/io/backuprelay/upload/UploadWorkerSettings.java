package io.backuprelay.upload;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import java.time.Duration;
import java.util.List;

/** What the upload worker reads, declared once (with the shared staging, allowlist and master key). */
public final class UploadWorkerSettings {

    public static final Setting<Integer> CONCURRENCY = Setting.integer("UPLOAD_WORKER_CONCURRENCY", 2, 1, 64,
            "uploads at once in one instance");
    public static final Setting<Integer> BLOCK_PARALLELISM = Setting.integer("UPLOAD_BLOCK_PARALLELISM", 4, 1, 64,
            "blocks of one upload in flight");
    public static final Setting<Duration> SHUTDOWN_GRACE = Setting.duration("UPLOAD_SHUTDOWN_GRACE",
            Duration.ofSeconds(30), "running uploads may finish within this after SIGTERM");
    public static final Setting<Duration> RETRY_BUDGET = Setting.duration("UPLOAD_RETRY_BUDGET", Duration.ofMinutes(30),
            "how long transient storage faults are retried");
    public static final Setting<String> VERIFY = Setting.text("UPLOAD_VERIFY", "inflight", "inflight or readback");
    public static final Setting<Boolean> OVERLAP = Setting.bool("UPLOAD_OVERLAP", true,
            "send an archive's blocks while the dump still writes it");
    public static final Setting<Duration> OVERLAP_IDLE = Setting.duration("UPLOAD_OVERLAP_IDLE", Duration.ofMinutes(15),
            "an archive that does not grow this long is no longer followed");
    public static final Setting<String> BLOCK_CHECKSUM = Setting.text("UPLOAD_BLOCK_CHECKSUM", "crc64", "crc64 or md5");

    public static final List<Setting<?>> ALL = List.of(CommonSettings.STAGING_DIR, CONCURRENCY, BLOCK_PARALLELISM,
            SHUTDOWN_GRACE, RETRY_BUDGET, VERIFY, OVERLAP, OVERLAP_IDLE, BLOCK_CHECKSUM, CommonSettings.ALLOWED_ENDPOINTS,
            CommonSettings.MASTER_KEY, CommonSettings.MASTER_KEY_ID, CommonSettings.MASTER_KEYS);

    private UploadWorkerSettings() {
    }
}
