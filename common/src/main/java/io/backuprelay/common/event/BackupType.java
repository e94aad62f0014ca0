package io.backuprelay.common.event;

import java.time.Duration;
import java.util.Optional;

public enum BackupType {
    MANUAL(null),
    EVERY_7_DAYS(Duration.ofDays(7)),
    EVERY_15_DAYS(Duration.ofDays(15)),
    EVERY_30_DAYS(Duration.ofDays(30));

    private final Duration interval;

    BackupType(Duration interval) {
        this.interval = interval;
    }

    /** Empty for {@link #MANUAL}. */
    public Optional<Duration> interval() {
        return Optional.ofNullable(interval);
    }
}
