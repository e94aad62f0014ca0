package io.backuprelay.scheduler;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.scheduler.schedule.AccountSchedule;
import io.backuprelay.scheduler.schedule.ScheduleRules;
import java.time.Clock;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The scheduler: settings, connections' enabled flags, requests and outcomes flow into one
 * processor per partition that keeps each account's schedule and emits due requests, timeouts and
 * {@code backup.status}.
 */
public final class SchedulerTopology {

    private SchedulerTopology() {
    }

    public static Topology build(Topics topics, SchedulerConfig config, Clock clock, int requestsPerMinutePerTask) {
        return build(topics, config, clock, requestsPerMinutePerTask, TickListener.NONE, published -> { });
    }

    /** @param published sees each record the scheduler emits (its backup meters count the events among them) */
    public static Topology build(Topics topics, SchedulerConfig config, Clock clock, int requestsPerMinutePerTask,
                                 TickListener ticks, Consumer<byte[]> published) {
        Serde<String> keys = Serdes.String();
        StreamsBuilder builder = new StreamsBuilder();

        KStream<String, ScheduleInput> settings = builder
                .stream(topics.settings(), Consumed.with(keys, JsonSerde.of(BackupSettings.class)))
                .mapValues(value -> new ScheduleInput.SettingsChanged(value));
        // Connections are keyed accountId/connectionId: re-key them by account, next to the rest of its state.
        KStream<String, ScheduleInput> connections = builder
                .stream(topics.connections(), Consumed.with(keys, JsonSerde.of(Connection.class)))
                .filter((key, value) -> key != null && key.indexOf('/') > 0)
                .map((key, value) -> KeyValue.pair(key.substring(0, key.indexOf('/')),
                        new ConnectionFlag(key.substring(key.indexOf('/') + 1),
                                value == null ? null : value.enabledForAutomaticBackup())))
                .repartition(Repartitioned.<String, ConnectionFlag>as("connections-by-account")
                        .withKeySerde(keys).withValueSerde(JsonSerde.of(ConnectionFlag.class)))
                .mapValues(flag -> new ScheduleInput.ConnectionChanged(flag.connectionId(), flag.enabled()));
        KStream<String, ScheduleInput> events = builder
                .stream(Set.of(topics.requests(), topics.outcomes()), Consumed.with(keys, JsonSerde.of(BackupEvent.class)))
                .filter((key, value) -> value != null)
                .mapValues(event -> new ScheduleInput.EventSeen(event));

        ScheduleRules rules = new ScheduleRules(config.inFlightTimeout(), config.dayLength());
        ProcessorSupplier<String, ScheduleInput, String, Routed> processor = new ProcessorSupplier<>() {
            @Override
            public ScheduleProcessor get() {
                return new ScheduleProcessor(topics, rules, clock, config.tickInterval(), requestsPerMinutePerTask, ticks);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        Stores.keyValueStoreBuilder(store(config, ScheduleProcessor.SCHEDULES),
                                keys, JsonSerde.forStore(AccountSchedule.class)),
                        Stores.keyValueStoreBuilder(store(config, ScheduleProcessor.WAKE_INDEX),
                                Serdes.Bytes(), Serdes.ByteArray()));
            }
        };
        // Each record is encoded once: the meters see the bytes that go to the topic. Only backup events are
        // metered, so status records and ops events are not handed to a reader that would refuse them.
        Serializer<Encoded> encoded = (topic, value) -> value.json();
        settings.merge(connections).merge(events)
                .process(processor)
                .mapValues(value -> new Encoded(value.topic(), Json.encode(value.payload()),
                        value.payload() instanceof BackupEvent))
                .peek((key, value) -> {
                    if (value.event()) {
                        published.accept(value.json());
                    }
                })
                .to((key, value, context) -> value.topic(),
                        Produced.with(keys, Serdes.serdeFrom(encoded, (topic, bytes) -> null)));
        return builder.build();
    }

    /** A store of that name where the configuration keeps the state; either way its changelog topic is the same. */
    private static KeyValueBytesStoreSupplier store(SchedulerConfig config, String name) {
        return switch (config.stateStore()) {
            case ROCKSDB -> Stores.persistentKeyValueStore(name);
            case MEMORY -> Stores.inMemoryKeyValueStore(name);
        };
    }

    /** A record on its way out: its topic, its JSON, and whether it is a backup event (which the meters count). */
    private record Encoded(String topic, byte[] json, boolean event) {
    }

    /** A connection's enabled flag on its way to the account's partition; {@code enabled} null = deleted. */
    record ConnectionFlag(String connectionId, Boolean enabled) {
    }
}
