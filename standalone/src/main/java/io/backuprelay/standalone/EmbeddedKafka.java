package io.backuprelay.standalone;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker (broker and controller in one) run from Kafka's own server code, with
 * its data under a directory of ours: what the standalone mode uses when no cluster is given. The
 * storage is formatted on the first start and reused after.
 */
public final class EmbeddedKafka implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort) throws Exception {
        Path logDir = dataDir.toAbsolutePath().resolve("kafka");
        Files.createDirectories(logDir);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        // One broker: every internal topic has one replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        smallFootprint(props);
        KafkaConfig config = KafkaConfig.fromProps(props);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(logDir);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + port;
        log.info("Embedded Kafka broker listening on {} with data in {}", bootstrap, logDir);
        return new EmbeddedKafka(server, bootstrap);
    }

    /**
     * One machine's broker, sized for it. Kafka's defaults are a cluster node's: 8 request handlers for each of the
     * broker and the controller, 3 network threads a listener, 10 background threads, 4 group coordinator threads,
     * the share groups' state persister, and a 128 MB dedupe buffer that the log cleaner allocates on the heap for
     * the compacted topics, and 50 partitions each for the group offsets and the transactions' state (one broker
     * needs one; a data directory formatted before keeps its 50). Together they held more than half of an idle
     * standalone's threads and heap; what the standalone's traffic needs is a fraction of that (docs/benchmarks.md,
     * "Footprint"). Each value is the least Kafka accepts but the cleaner's buffer, which only makes a large
     * compacted topic take more passes.
     */
    private static void smallFootprint(Properties props) {
        props.put("num.io.threads", "1");
        props.put("num.network.threads", "1");
        props.put("background.threads", "1");
        props.put("group.coordinator.threads", "1");
        props.put("share.coordinator.threads", "1");
        // Share groups are off (Kafka 4.1's default, and no service of ours uses them): their state needs no persister.
        props.put("group.share.persister.class.name", "");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("log.cleaner.threads", "1");
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        props.put("log.cleaner.io.buffer.size", String.valueOf(128 * 1024));
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.num.partitions", "1");
    }

    private static void format(Path logDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName("CONTROLLER")
                .setIgnoreFormatted(true)
                .run();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
        server.awaitShutdown();
    }
}
