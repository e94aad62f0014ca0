package io.backuprelay.common.kafka;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/** How a job worker's consumer and transactional producer are configured, from the instance's stable id. */
final class JobClients {

    private JobClients() {
    }

    static Properties consumer(JobWorkerConfig config, KafkaSettings kafka, Supplier<Set<TopicPartition>> busy) {
        Properties props = kafka.consumer(config.name() + "-" + kafka.instanceId(), config.groupId());
        // Static membership: a restart within the session timeout gets its partitions back with no rebalance.
        props.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, kafka.instanceId());
        // Cooperative and sticky, and a running job's partition never moves.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(BusyPartitionsAssignor.class));
        props.put(BusyPartitionsAssignor.BUSY_PARTITIONS, busy);
        return props;
    }

    /** The {@code transactional.id} is the group and the instance id: a restart fences its predecessor. */
    static Properties producer(JobWorkerConfig config, KafkaSettings kafka) {
        Properties props = kafka.producer(config.name() + "-" + kafka.instanceId() + "-tx",
                config.groupId() + "." + kafka.instanceId());
        // A broker frozen for minutes must not make the coordinator abort a commit in flight
        // (the broker's transaction.max.timeout.ms is 15 minutes by default).
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 900_000);
        // A commit waiting on an unreachable broker gives the loop back soon, and is finished later.
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return props;
    }
}
