package io.backuprelay.testkit;

import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One single-node KRaft broker per test JVM, built from Kafka's own server code. Tests share it
 * and keep apart by a topic prefix and consumer group of their own ({@link #uniquePrefix()}).
 */
public final class TestKafka {

    private static KafkaClusterTestKit cluster;

    private TestKafka() {
    }

    /** Starts the broker on first use; it stops when the JVM exits. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(TestKafka::stop, "test-kafka-stop"));
        }
        return cluster.bootstrapServers();
    }

    /** A fresh topic prefix, e.g. {@code t3f9a1c2.}, so a test's topics and groups are its own. */
    public static String uniquePrefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    private static KafkaClusterTestKit start() {
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    // The test kit defaults to the newest, still unstable, metadata version: test what ships.
                    .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION)
                    // A folder of our own: the kit's default one is deleted by a shutdown hook of its own, which
                    // can race the broker's shutdown and make it halt the JVM. Ours is deleted after the close.
                    .setBaseDirectory(java.nio.file.Files.createTempDirectory("test-kafka"))
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
            brokerSettings().forEach(builder::setConfigProp);
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the test Kafka broker", e);
        }
    }

    /** What a single broker needs: internal topics with one replica, and no wait for more members. */
    public static Map<String, String> brokerSettings() {
        return Map.of(
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "3",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "3",
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false");
    }

    private static synchronized void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                // the JVM is exiting; nothing to do
            }
            cluster = null;
        }
    }
}
