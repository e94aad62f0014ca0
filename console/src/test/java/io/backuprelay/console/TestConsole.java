package io.backuprelay.console;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.testkit.TestKafka;
import java.time.Clock;

/** A console of the console's integration tests: on the test JVM's broker, its own topics, a fresh master key. */
final class TestConsole {

    private TestConsole() {
    }

    /**
     * Creates {@code topics} (3 partitions) and starts a console on them, on a free port of loopback.
     *
     * @param jwtSecret the HS256 secret its tokens are minted with
     * @param origins   what its endpoint policy allows without a grant (an emulator, a test's receiver)
     */
    static ConsoleServer start(Topics topics, String jwtSecret, String... origins) {
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        return new ConsoleServer(new ConsoleData(kafka).start(), new ConsoleConfig("127.0.0.1", 0, jwtSecret, null, null)
                .withEndpoints(EndpointPolicy.allowing(origins)),
                SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()), Clock.systemUTC());
    }
}
