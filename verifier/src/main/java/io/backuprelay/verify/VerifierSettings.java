package io.backuprelay.verify;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the verifier reads, declared once (with the allowlist and the master key). */
public final class VerifierSettings {

    public static final Setting<String> POSTGRES_URL = Setting.text("DRILL_POSTGRES_URL", null,
            "the operator's PostgreSQL drill server, postgresql://user@host:port/database");
    public static final Setting<String> POSTGRES_PASSWORD = Setting.text("DRILL_POSTGRES_PASSWORD", "",
            "that user's password").masked();
    public static final Setting<String> MARIADB_URL = Setting.text("DRILL_MARIADB_URL", null,
            "the operator's MariaDB drill server, mariadb://user@host:port/database");
    public static final Setting<String> MARIADB_PASSWORD = Setting.text("DRILL_MARIADB_PASSWORD", "",
            "that user's password").masked();
    public static final Setting<Integer> RETRY_ATTEMPTS = Setting.integer("DRILL_RETRY_ATTEMPTS", 5, 1, 100,
            "tries of a drill that cannot reach the storage or the drill server");
    public static final Setting<Duration> RETRY_INITIAL = Setting.duration("DRILL_RETRY_INITIAL", Duration.ofSeconds(10),
            "the first wait between those tries");
    public static final Setting<Duration> RETRY_MAX = Setting.duration("DRILL_RETRY_MAX", Duration.ofMinutes(5),
            "the longest wait between those tries");
    public static final Setting<Path> STAGING_DIR = Setting.path("DRILL_STAGING_DIR", Path.of("data/drill"),
            "where the blob is copied and hashed before a restore");
    public static final Setting<Duration> TIMEOUT = Setting.duration("DRILL_TIMEOUT", Duration.ofHours(1),
            "the restore tool and each statement are stopped after this");
    public static final Setting<Integer> MAX_BLOB_MB = Setting.integer("DRILL_MAX_BLOB_MB", 20_480, 1, Integer.MAX_VALUE,
            "a larger backup is only hashed");
    public static final Setting<Integer> MAX_RESTORED_MB = Setting.integer("DRILL_MAX_RESTORED_MB", 102_400, 1,
            Integer.MAX_VALUE, "a restore stops when the decompressed dump grows past this");
    public static final Setting<Integer> MAX_MANIFEST_KB = Setting.integer("DRILL_MAX_MANIFEST_KB", 16_384, 1, 1_048_576,
            "a larger manifest is not read");
    public static final Setting<Integer> CONCURRENCY = Setting.integer("DRILL_CONCURRENCY", 2, 1, 64,
            "drills at once in one verifier");

    public static final List<Setting<?>> ALL = List.of(POSTGRES_URL, POSTGRES_PASSWORD, MARIADB_URL, MARIADB_PASSWORD,
            RETRY_ATTEMPTS, RETRY_INITIAL, RETRY_MAX, STAGING_DIR, TIMEOUT, MAX_BLOB_MB, MAX_RESTORED_MB, MAX_MANIFEST_KB,
            CONCURRENCY, CommonSettings.ALLOWED_ENDPOINTS, CommonSettings.MASTER_KEY, CommonSettings.MASTER_KEY_ID,
            CommonSettings.MASTER_KEYS);

    private VerifierSettings() {
    }
}
