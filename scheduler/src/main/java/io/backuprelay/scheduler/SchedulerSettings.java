package io.backuprelay.scheduler;

import io.backuprelay.common.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What the scheduler reads, declared once. */
public final class SchedulerSettings {

    public static final Setting<Path> STATE_DIR = Setting.path("SCHEDULER_STATE_DIR", Path.of("data/scheduler-state"),
            "Kafka Streams local state; rebuilt from the changelog topics when lost");
    public static final Setting<Duration> TICK_INTERVAL = Setting.duration("SCHEDULER_TICK_INTERVAL",
            Duration.ofSeconds(10), "how often each partition looks at the accounts whose time has come");
    public static final Setting<Integer> MAX_REQUESTS_PER_MINUTE = Setting.integer("SCHEDULER_MAX_REQUESTS_PER_MINUTE",
            60, 1, 1_000_000, "automatic requests a minute, all instances together");
    public static final Setting<Duration> IN_FLIGHT_TIMEOUT = Setting.duration("SCHEDULER_IN_FLIGHT_TIMEOUT",
            Duration.ofHours(6), "a started backup with no outcome this long is declared failed");
    public static final Setting<String> INSTANCE_ID = Setting.text("SCHEDULER_INSTANCE_ID", null,
            "the instance's static group member id").documentedDefault("host + state dir");
    public static final Setting<Integer> STREAM_THREADS = Setting.integer("SCHEDULER_STREAM_THREADS", 1, 1, 64,
            "partitions processed in parallel in one instance");
    public static final Setting<SchedulerConfig.StateStore> STATE_STORE = Setting.choice("SCHEDULER_STATE_STORE",
            SchedulerConfig.StateStore.ROCKSDB, SchedulerConfig.StateStore.class,
            "where the schedules live: rocksdb (on disk) or memory (rebuilt from the changelogs at each start)")
            .documentedDefault("rocksdb; memory in the standalone");
    public static final Setting<Duration> TEST_DAY_LENGTH = Setting.duration("SCHEDULER_TEST_DAY_LENGTH",
            Duration.ofDays(1), "test harness only: how long a day of the backup types' intervals lasts");

    public static final List<Setting<?>> ALL = List.of(STATE_DIR, TICK_INTERVAL, MAX_REQUESTS_PER_MINUTE,
            IN_FLIGHT_TIMEOUT, INSTANCE_ID, STREAM_THREADS, STATE_STORE, TEST_DAY_LENGTH);

    private SchedulerSettings() {
    }
}
