package io.backuprelay.common.kafka;

import io.backuprelay.common.topic.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the backup topics that do not exist yet, with their cleanup policies. */
public final class TopicProvisioner {

    private TopicProvisioner() {
    }

    /**
     * @param partitions        partitions per topic: the most instances of one step that can work at once
     * @param replicationFactor 1 for a single broker, 3 for a production cluster
     */
    public static void ensureTopics(KafkaSettings kafka, int partitions, short replicationFactor) {
        Topics topics = kafka.topics();
        List<NewTopic> wanted = topics.all().stream().map(spec -> {
            Map<String, String> configs = new HashMap<>();
            configs.put(TopicConfig.CLEANUP_POLICY_CONFIG,
                    spec.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
            if (spec.retentionMs() != null) {
                configs.put(TopicConfig.RETENTION_MS_CONFIG, spec.retentionMs().toString());
            }
            return new NewTopic(spec.name(), partitions, replicationFactor).configs(configs);
        }).toList();
        try (Admin admin = Admin.create(kafka.common("backuprelay-topic-provisioner"))) {
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    /** Services start writing right after this; a partition without a leader yet would only make them retry. */
    private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                boolean ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .flatMap(description -> description.partitions().stream())
                        .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                // metadata not propagated yet: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The topics " + names + " have no leader after 60 s");
            }
            Thread.sleep(100); // the cluster has no call that waits for leaders: ask again shortly
        }
    }
}
