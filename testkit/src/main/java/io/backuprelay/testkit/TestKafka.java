package io.backuprelay.testkit;

import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One single-node KRaft broker per test JVM, built from Kafka's own server code. Tests share it
 * and keep apart by a topic prefix and consumer group of their own ({@link #uniquePrefix()}).
 * With {@code BACKUPRELAY_TEST_KAFKA=testcontainers} the broker is Apache Kafka's image instead,
 * started by Testcontainers, for a machine with a container engine (this project's build machine
 * has none, so only the in-JVM broker runs in its suite).
 */
public final class TestKafka {

    /** The variable that chooses the broker of the tests. */
    public static final String SELECTION = "BACKUPRELAY_TEST_KAFKA";

    /** Where the tests' broker runs. */
    public enum Backend {
        /** Kafka's server code in this JVM (the default). */
        IN_JVM,
        /** Apache Kafka's image, through Testcontainers. */
        TESTCONTAINERS;

        /** The backend a value of {@link #SELECTION} names: empty or {@code in-jvm}, or {@code testcontainers}. */
        public static Backend select(String value) {
            if (value == null || value.isBlank() || value.strip().equalsIgnoreCase("in-jvm")) {
                return IN_JVM;
            }
            if (value.strip().equalsIgnoreCase("testcontainers")) {
                return TESTCONTAINERS;
            }
            throw new IllegalArgumentException(SELECTION + " must be in-jvm (the default) or testcontainers, is '"
                    + value + "'");
        }
    }

    private static KafkaClusterTestKit cluster;
    private static ContainerKafka container;
    private static String bootstrap;

    private TestKafka() {
    }

    /** Starts the broker on first use; it stops when the JVM exits. */
    public static synchronized String bootstrapServers() {
        if (bootstrap == null) {
            if (Backend.select(System.getenv(SELECTION)) == Backend.TESTCONTAINERS) {
                container = ContainerKafka.start(brokerSettings());
                bootstrap = container.bootstrapServers();
            } else {
                cluster = start();
                bootstrap = cluster.bootstrapServers();
            }
            Runtime.getRuntime().addShutdownHook(new Thread(TestKafka::stop, "test-kafka-stop"));
        }
        return bootstrap;
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
                    .setBaseDirectory(Files.createTempDirectory("test-kafka"))
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
        if (container != null) {
            container.close();
            container = null;
        }
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
