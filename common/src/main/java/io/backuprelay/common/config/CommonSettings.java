package io.backuprelay.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The settings more than one service reads, declared once. */
public final class CommonSettings {

    public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = Setting.required("KAFKA_BOOTSTRAP_SERVERS",
            "the Kafka cluster");
    public static final Setting<Map<String, String>> KAFKA_PROPERTIES = Setting.family("KAFKA_",
            "any Kafka client property, in upper case with dots as underscores");
    public static final Setting<Boolean> CREATE_TOPICS = Setting.bool("BACKUPRELAY_CREATE_TOPICS", true,
            "whether a service creates the topics it needs, or only checks them");
    public static final Setting<String> TOPIC_PREFIX = Setting.text("BACKUPRELAY_TOPIC_PREFIX", "",
            "prefix of every topic, consumer group and Streams application id");
    public static final Setting<Integer> TOPIC_PARTITIONS = Setting.integer("BACKUPRELAY_TOPIC_PARTITIONS", 6, 1, 1000,
            "partitions of the topics a service creates");
    public static final Setting<Integer> TOPIC_REPLICATION = Setting.integer("BACKUPRELAY_TOPIC_REPLICATION", 1, 1, 5,
            "replication factor of the topics a service creates");
    /**
     * Loopback by default, as the standalone mode always had it; the container images set
     * {@code 0.0.0.0} (the Dockerfile), where the jars' own default was.
     */
    public static final Setting<String> SERVICE_HOST = Setting.text("SERVICE_HOST", "127.0.0.1",
            "where health and metrics listen");
    public static final Setting<Integer> SERVICE_PORT = Setting.integer("SERVICE_PORT", 8081, 0, 65535,
            "the port of health and metrics; 0 picks a free one");
    public static final Setting<String> INSTANCE_ID = Setting.text("BACKUPRELAY_INSTANCE_ID", null,
            "this instance's stable name among the instances of its service");
    public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.duration("BACKUPRELAY_HEARTBEAT_INTERVAL",
            Duration.ofMinutes(1), "how often a process says on backup.ops that it is alive");
    public static final Setting<String> MASTER_KEY = Setting.required("BACKUPRELAY_MASTER_KEY",
            "base64 of 32 bytes: seals and opens stored secrets").masked();
    public static final Setting<String> MASTER_KEY_ID = Setting.text("BACKUPRELAY_MASTER_KEY_ID", "k1",
            "the key that seals new secrets");
    public static final Setting<String> MASTER_KEYS = Setting.text("BACKUPRELAY_MASTER_KEYS", null,
            "a ring of keys, id:base64,…, instead of one").masked();
    public static final Setting<Path> DATA_DIR = Setting.path("BACKUPRELAY_DATA_DIR", Path.of("data"),
            "the standalone mode's data: broker, staging, outbox, state, generated secrets");
    public static final Setting<Path> STAGING_DIR = Setting.path("BACKUPRELAY_STAGING_DIR", Path.of("data/staging"),
            "where archives wait for upload; shared by the dump and upload workers");
    public static final Setting<String> ALLOWED_ENDPOINTS = Setting.text("BACKUPRELAY_ALLOWED_ENDPOINTS", "",
            "storage origins and host suffixes an operator may grant accounts");
    public static final Setting<String> FAULT_POINTS = Setting.text("BACKUPRELAY_FAULT_POINTS", null,
            "test harness only: name=share,… of fault points that halt the process");

    /** What every service process reads, whatever it runs. */
    public static final List<Setting<?>> EVERY_SERVICE = List.of(KAFKA_BOOTSTRAP_SERVERS, KAFKA_PROPERTIES,
            CREATE_TOPICS, TOPIC_PREFIX, TOPIC_PARTITIONS, TOPIC_REPLICATION, SERVICE_HOST, SERVICE_PORT, INSTANCE_ID,
            HEARTBEAT_INTERVAL, FAULT_POINTS);

    /** What a service that opens stored secrets reads. */
    public static final List<Setting<?>> SECRETS = List.of(MASTER_KEY, MASTER_KEY_ID, MASTER_KEYS);

    private CommonSettings() {
    }
}
