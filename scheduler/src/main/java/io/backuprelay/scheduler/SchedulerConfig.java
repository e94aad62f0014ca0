package io.backuprelay.scheduler;

import io.backuprelay.common.config.ConfigSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * @param stateDir              where Kafka Streams keeps its local state stores (rebuilt from changelogs if lost)
 * @param tickInterval          how often each partition looks for due accounts
 * @param maxRequestsPerMinute  automatic requests a minute across all instances, so a crowd due at once is spread out
 * @param inFlightTimeout       a backup with no outcome after this long is declared failed
 * @param instanceId            this instance's stable name in the group; by default the host and state directory
 * @param streamThreads         threads that process partitions in parallel in this instance
 * @param dayLength             how long a day of the backup types' intervals lasts: a day, except in the chaos
 *                              harness, which alone sets {@code SCHEDULER_TEST_DAY_LENGTH} to run weekly backups
 *                              every few minutes
 * @param stateStore            where each partition's schedules live: in RocksDB under {@code stateDir}, or in memory,
 *                              rebuilt from the changelog topics at each start (the standalone's choice: one
 *                              machine's few accounts load in a moment, and RocksDB's threads and native memory
 *                              are a good part of an idle standalone's footprint)
 */
public record SchedulerConfig(Path stateDir, Duration tickInterval, int maxRequestsPerMinute, Duration inFlightTimeout,
                              String instanceId, int streamThreads, Duration dayLength, StateStore stateStore) {

    /** Where the scheduler keeps its state stores. */
    public enum StateStore { ROCKSDB, MEMORY }

    public SchedulerConfig {
        stateDir = stateDir.toAbsolutePath();
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = defaultInstanceId(stateDir);
        }
        streamThreads = Math.max(1, streamThreads);
        if (dayLength == null) {
            dayLength = Duration.ofDays(1);
        }
        if (stateStore == null) {
            stateStore = StateStore.ROCKSDB;
        }
    }

    public SchedulerConfig(Path stateDir, Duration tickInterval, int maxRequestsPerMinute, Duration inFlightTimeout) {
        this(stateDir, tickInterval, maxRequestsPerMinute, inFlightTimeout, null, 1, null, null);
    }

    public SchedulerConfig withStreamThreads(int threads) {
        return new SchedulerConfig(stateDir, tickInterval, maxRequestsPerMinute, inFlightTimeout, instanceId, threads, dayLength,
                stateStore);
    }

    public SchedulerConfig withDayLength(Duration day) {
        return new SchedulerConfig(stateDir, tickInterval, maxRequestsPerMinute, inFlightTimeout, instanceId, streamThreads, day,
                stateStore);
    }

    public SchedulerConfig withStateStore(StateStore store) {
        return new SchedulerConfig(stateDir, tickInterval, maxRequestsPerMinute, inFlightTimeout, instanceId, streamThreads,
                dayLength, store);
    }

    public static final String APPLICATION_ID = "backuprelay-scheduler";

    public static SchedulerConfig from(ConfigSource config) {
        return new SchedulerConfig(SchedulerSettings.STATE_DIR.read(config), SchedulerSettings.TICK_INTERVAL.read(config),
                SchedulerSettings.MAX_REQUESTS_PER_MINUTE.read(config), SchedulerSettings.IN_FLIGHT_TIMEOUT.read(config),
                SchedulerSettings.INSTANCE_ID.read(config), SchedulerSettings.STREAM_THREADS.read(config),
                SchedulerSettings.TEST_DAY_LENGTH.read(config), SchedulerSettings.STATE_STORE.read(config));
    }

    private static String defaultInstanceId(Path stateDir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + Integer.toHexString(stateDir.toString().hashCode());
    }
}
