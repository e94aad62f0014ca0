package io.backuprelay.scheduler;

import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.scheduler.status.StatusRules;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Keeps {@code backup.status} per account from {@code backup.requests} and {@code backup.outcomes}.
 * Automatic schedules come next, on the same state.
 */
public final class SchedulerTopology {

    public static final String STATUS_STORE = "backup-status";

    private SchedulerTopology() {
    }

    public static Topology build(Topics topics) {
        Serde<String> keys = Serdes.String();
        Serde<BackupEvent> events = JsonSerde.of(BackupEvent.class);
        Serde<BackupStatus> statuses = JsonSerde.of(BackupStatus.class);

        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, BackupEvent> requests = builder.stream(topics.requests(), Consumed.with(keys, events));
        KStream<String, BackupEvent> outcomes = builder.stream(topics.outcomes(), Consumed.with(keys, events));
        requests.merge(outcomes)
                .filter((accountId, event) -> accountId != null && event != null)
                .groupByKey()
                .aggregate(() -> null,
                        (accountId, event, status) -> StatusRules.apply(
                                status == null ? BackupStatus.empty(accountId) : status, event),
                        Materialized.<String, BackupStatus, org.apache.kafka.streams.state.KeyValueStore<
                                org.apache.kafka.common.utils.Bytes, byte[]>>as(STATUS_STORE)
                                .withKeySerde(keys).withValueSerde(statuses))
                .toStream()
                .to(topics.status(), Produced.with(keys, statuses));
        return builder.build();
    }
}
