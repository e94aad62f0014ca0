package io.backuprelay.standalone;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The standalone stack as the integration tests start it: on the test broker, mailing the test SMTP
 * server, each service reaching the test's Azurite besides what its settings allow.
 */
final class TestStack {

    private TestStack() {
    }

    /** A service's policy, and the emulator's origin as a test allows it: with no grant needed. */
    static EndpointPolicy allowingAzurite(EndpointPolicy policy) {
        return policy.alsoAllowing(Azurite.origin());
    }

    /**
     * @param prefix the test's own topic prefix
     * @param extra  the test's own settings, added to (or replacing) the common ones
     */
    static Standalone start(String prefix, Path dataDir, String masterKey, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", prefix,
                "BACKUPRELAY_TOPIC_PARTITIONS", "3",
                "SERVICE_PORT", "0",
                "BACKUPRELAY_DATA_DIR", dataDir.toString(),
                "BACKUPRELAY_MASTER_KEY", masterKey,
                "SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(TestSmtp.port()),
                "SMTP_SECURITY", "NONE"));
        settings.putAll(extra);
        return Standalone.startWithEndpoints(new ConfigSource(settings), TestStack::allowingAzurite);
    }
}
