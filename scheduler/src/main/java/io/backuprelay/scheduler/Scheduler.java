package io.backuprelay.scheduler;

import io.backuprelay.common.kafka.KafkaSettings;
import java.io.Closeable;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/** The scheduler service: the Kafka Streams application of {@link SchedulerTopology}. */
public final class Scheduler implements Closeable {

    private final KafkaStreams streams;

    public Scheduler(KafkaSettings kafka, SchedulerConfig config) {
        Properties props = new Properties();
        props.putAll(kafka.clientOverrides());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, kafka.topics().prefix() + SchedulerConfig.APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // A malformed event is dead-lettered by the worker that owns its topic; here it is logged and skipped.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // Status changes should be visible within a second, not at the default 30 s cache flush.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        this.streams = new KafkaStreams(SchedulerTopology.build(kafka.topics()), props);
    }

    public Scheduler start() {
        streams.start();
        return this;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
