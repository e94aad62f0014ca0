package io.backuprelay.scheduler;

import io.backuprelay.common.config.ConfigSource;
import java.nio.file.Path;

/** @param stateDir where Kafka Streams keeps its local state stores (rebuilt from changelogs if lost) */
public record SchedulerConfig(Path stateDir) {

    public static final String APPLICATION_ID = "backuprelay-scheduler";

    public static SchedulerConfig from(ConfigSource config) {
        return new SchedulerConfig(config.path("SCHEDULER_STATE_DIR", Path.of("data/scheduler-state")));
    }
}
