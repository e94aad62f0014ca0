package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.scheduler.SchedulerConfig;
import io.backuprelay.scheduler.SchedulerSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone keeps the schedules in memory unless its operator asks for RocksDB; a service's jar keeps RocksDB. */
class SchedulerStoreDefaultTest {

    @TempDir
    Path dataDir;

    @Test
    void memoryInTheStandaloneUnlessSetRocksDbForTheJars() throws Exception {
        assertThat(SchedulerSettings.STATE_STORE.read(Standalone.withLocalDefaults(new ConfigSource(Map.of()), dataDir)))
                .isEqualTo(SchedulerConfig.StateStore.MEMORY);
        assertThat(SchedulerSettings.STATE_STORE.read(Standalone.withLocalDefaults(
                new ConfigSource(Map.of("SCHEDULER_STATE_STORE", "rocksdb")), dataDir)))
                .isEqualTo(SchedulerConfig.StateStore.ROCKSDB);
        assertThat(SchedulerConfig.from(new ConfigSource(Map.of())).stateStore())
                .isEqualTo(SchedulerConfig.StateStore.ROCKSDB);
    }
}
