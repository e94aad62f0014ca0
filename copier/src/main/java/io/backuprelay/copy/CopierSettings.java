package io.backuprelay.copy;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.Setting;
import java.time.Duration;
import java.util.List;

/** What the copier reads, declared once (with the allowlist and the master key). */
public final class CopierSettings {

    public static final Setting<Integer> CONCURRENCY = Setting.integer("COPY_CONCURRENCY", 4, 1, 64,
            "copies at once in one copier (one per partition)");
    public static final Setting<Duration> RETRY_INITIAL = Setting.duration("COPY_RETRY_INITIAL", Duration.ofSeconds(10),
            "the first wait before a failed copy is tried again");
    public static final Setting<Duration> RETRY_MAX = Setting.duration("COPY_RETRY_MAX", Duration.ofMinutes(5),
            "the longest wait between tries of a copy");
    public static final Setting<Duration> RETRY_BUDGET = Setting.duration("COPY_RETRY_BUDGET", Duration.ofHours(6),
            "how long a copy that keeps failing is tried before it is given up (a warning email)");
    public static final Setting<Duration> MAX_AGE = Setting.duration("COPY_MAX_AGE", Duration.ofDays(7),
            "a backup that ended longer ago than this (a replay of old outcomes) is not copied");

    public static final List<Setting<?>> ALL = List.of(CONCURRENCY, RETRY_INITIAL, RETRY_MAX, RETRY_BUDGET, MAX_AGE,
            CommonSettings.ALLOWED_ENDPOINTS, CommonSettings.MASTER_KEY, CommonSettings.MASTER_KEY_ID,
            CommonSettings.MASTER_KEYS);

    private CopierSettings() {
    }
}
