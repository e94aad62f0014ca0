package io.backuprelay.common.kafka;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.topic.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the backup topics that do not exist yet, with their cleanup policies; or, on a cluster
 * where the services may not create topics ({@code BACKUPRELAY_CREATE_TOPICS=false}), checks that
 * they exist as the services need them.
 */
public final class TopicProvisioner {

    private TopicProvisioner() {
    }

    /**
     * What a service does at start: creates the topics ({@code BACKUPRELAY_CREATE_TOPICS}, default
     * true, with {@code BACKUPRELAY_TOPIC_PARTITIONS} and {@code BACKUPRELAY_TOPIC_REPLICATION}), or
     * only checks them.
     *
     * @throws io.backuprelay.common.config.ConfigException listing every topic that is missing or configured otherwise
     */
    public static void prepare(KafkaSettings kafka, ConfigSource config) {
        if (CommonSettings.CREATE_TOPICS.read(config)) {
            ensureTopics(kafka, CommonSettings.TOPIC_PARTITIONS.read(config),
                    CommonSettings.TOPIC_REPLICATION.read(config).shortValue());
            return;
        }
        List<String> problems = check(kafka);
        if (!problems.isEmpty()) {
            throw new ConfigException(CommonSettings.CREATE_TOPICS.name(), "is false, and the"
                    + " cluster lacks what the services need; create the topics as docs/kafka.md lists them: "
                    + String.join("; ", problems));
        }
    }

    /**
     * What is wrong with the backup topics on the cluster: each missing topic, and each whose cleanup
     * policy or retention is not what the services need. Empty when all is well.
     */
    public static List<String> check(KafkaSettings kafka) {
        Topics topics = kafka.topics();
        List<String> names = topics.all().stream().map(Topics.TopicSpec::name).toList();
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(kafka.common("backuprelay-topic-check"))) {
            Set<String> existing = admin.listTopics().names().get();
            List<ConfigResource> present = new ArrayList<>();
            for (String name : names) {
                if (existing.contains(name)) {
                    present.add(new ConfigResource(
                            ConfigResource.Type.TOPIC, name));
                } else {
                    problems.add(name + " does not exist");
                }
            }
            var described = admin.describeConfigs(present).values();
            for (Topics.TopicSpec spec : topics.all()) {
                var future = described.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                if (future == null) {
                    continue;
                }
                Config config;
                try {
                    config = future.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        // listed a moment ago, deleted since (or its deletion not yet seen by the listing)
                        problems.add(spec.name() + " does not exist");
                        continue;
                    }
                    throw e;
                }
                String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                boolean compacts = policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT);
                boolean deletes = policy.contains(TopicConfig.CLEANUP_POLICY_DELETE);
                if (spec.compacted() && (!compacts || deletes)) {
                    problems.add(spec.name() + " must have cleanup.policy=compact, has " + policy);
                } else if (!spec.compacted() && compacts) {
                    problems.add(spec.name() + " must have cleanup.policy=delete, has " + policy);
                }
                long retention = Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value());
                if (!spec.compacted() && spec.retentionMs() != null && retention >= 0 && retention < spec.retentionMs()) {
                    problems.add(spec.name() + " must keep records at least retention.ms=" + spec.retentionMs()
                            + ", keeps " + retention);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot check the backup topics: " + e.getCause().getMessage(), e.getCause());
        }
        return problems;
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
