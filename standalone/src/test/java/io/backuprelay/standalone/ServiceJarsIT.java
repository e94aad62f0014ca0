package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.testkit.ServiceJars;
import io.backuprelay.testkit.TestKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each service starts from its runnable jar alone, as its container image runs it, and says it is ready. */
class ServiceJarsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scheduler", "dump-worker", "upload-worker", "notifier", "verifier", "copier", "console"})
    void startsFromItsJarAndAnswersReady(String module) throws Exception {
        Path jar = ServiceJars.runnableJar(module);
        int servicePort = ServiceJars.freePort();
        int consolePort = ServiceJars.freePort();
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", TestKafka.uniquePrefix(),
                "BACKUPRELAY_TOPIC_PARTITIONS", "2",
                "BACKUPRELAY_MASTER_KEY", SecretSealer.newBase64Key(),
                "BACKUPRELAY_STAGING_DIR", work.resolve("staging").toString(),
                "BACKUPRELAY_OUTBOX_DIR", work.resolve("outbox").toString(),
                "SCHEDULER_STATE_DIR", work.resolve("state").toString(),
                "SERVICE_HOST", "127.0.0.1",
                "SERVICE_PORT", Integer.toString(servicePort)));
        env.put("CONSOLE_PORT", Integer.toString(consolePort));
        env.put("CONSOLE_JWT_SECRET", "a-console-secret-of-at-least-32-characters");
        Process service = ServiceJars.start(jar, env, work.resolve("service.log"));
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> ServiceJars.ready(servicePort));
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + servicePort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("service=\"" + module + "\"");
        } finally {
            service.destroy();
            assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        assertThat(Files.readString(work.resolve("service.log"))).contains(module + " is running against");
    }

    /**
     * Two upload workers started with the same {@code BACKUPRELAY_INSTANCE_ID}: the second fences the
     * first, whose process exits with code 1 (for its orchestrator to restart it) while the second runs on.
     */
    @Test
    void aFencedInstanceExitsWithCodeOneAndItsSuccessorRunsOn() throws Exception {
        Path jar = ServiceJars.runnableJar("upload-worker");
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
                "BACKUPRELAY_TOPIC_PREFIX", TestKafka.uniquePrefix(),
                "BACKUPRELAY_TOPIC_PARTITIONS", "2",
                "BACKUPRELAY_MASTER_KEY", SecretSealer.newBase64Key(),
                "BACKUPRELAY_STAGING_DIR", work.resolve("staging").toString(),
                "BACKUPRELAY_INSTANCE_ID", "upload-1",
                "SERVICE_HOST", "127.0.0.1"));
        int firstPort = ServiceJars.freePort();
        Process first = start(jar, env, firstPort, "first.log");
        Process second = null;
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> ServiceJars.ready(firstPort));
            int secondPort = ServiceJars.freePort();
            second = start(jar, env, secondPort, "second.log");

            assertThat(first.waitFor(90, TimeUnit.SECONDS)).as("the fenced instance exits").isTrue();
            assertThat(first.exitValue()).isEqualTo(1);
            assertThat(Files.readString(work.resolve("first.log"))).contains("cannot go on").contains("Fenced");
            await().atMost(Duration.ofSeconds(90)).until(() -> ServiceJars.ready(secondPort));
            assertThat(second.isAlive()).isTrue();
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    private Process start(Path jar, Map<String, String> env, int port, String log) throws Exception {
        Map<String, String> own = new HashMap<>(env);
        own.put("SERVICE_PORT", Integer.toString(port));
        return ServiceJars.start(jar, own, work.resolve(log));
    }
}
