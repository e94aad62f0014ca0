package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.topic.Topics;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/compose/secure.yml, the compose profile with SASL_SSL on the broker, and its two scripts:
 * every service signs in as its own principal over TLS, the broker has no listener in clear, the TLS script makes stores a client can verify the broker with, and the grants
 * script runs the very lines of docs/kafka.md. Compose itself cannot run here (no container engine).
 */
class SecureComposeTest {

    private static final List<String> SERVICES = List.of("scheduler", "dump-worker", "upload-worker", "notifier",
            "verifier", "copier", "console");
    private static final String STORE_PASSWORD = "store pass wörd";
    private static final String BROKER_PASSWORD = "broker-only pass";

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scheduler", "dump-worker", "upload-worker", "notifier", "verifier", "copier", "console"})
    void eachServiceSignsInAsItsOwnPrincipalOverTlsAndWaitsForItsGrants(String name) throws Exception {
        JsonNode service = secure().get("services").get(name);
        Map<String, String> environment = environment(service);

        assertThat(environment).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "PLAIN").containsEntry("BACKUPRELAY_CREATE_TOPICS", "false");
        assertThat(environment.get("KAFKA_SASL_JAAS_CONFIG")).contains("username=\"" + name + "\"")
                .contains("password=\"${KAFKA_PASSWORD_" + name.toUpperCase().replace('-', '_') + ":?");
        assertThat(environment.get("KAFKA_SSL_TRUSTSTORE_LOCATION")).startsWith("/tls/");
        assertThat(texts(service.get("volumes"))).contains("kafka-tls:/tls:ro");
        assertThat(service.get("depends_on").get("kafka-acls").get("condition").asText())
                .isEqualTo("service_completed_successfully");
        Map<String, String> merged = new HashMap<>(environment(DeploymentFiles.compose().get("services").get(name)));
        merged.putAll(environment);
        merged.replaceAll((key, value) -> value.startsWith("${") ? "x" : value);
        KafkaSettings kafka = KafkaSettings.from(new ConfigSource(merged));
        assertThat(kafka.common("check")).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.type", "PKCS12");
    }

    @Test
    void theBrokerHasNoListenerInClearAndKnowsEachServicesPrincipal() throws Exception {
        Map<String, String> broker = environment(secure().get("services").get("kafka"));
        Map<String, String> protocols = new HashMap<>();
        for (String entry : broker.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(",")) {
            protocols.put(entry.split(":")[0], entry.split(":")[1]);
        }
        for (String listener : broker.get("KAFKA_LISTENERS").split(",")) {
            String name = listener.substring(0, listener.indexOf(':'));
            assertThat(protocols.get(name)).as(name).isEqualTo("SASL_SSL");
        }
        assertThat(broker.get("KAFKA_ADVERTISED_LISTENERS")).doesNotContain("CONTROLLER");
        assertThat(broker.get("KAFKA_SSL_KEYSTORE_LOCATION")).startsWith("/broker-tls/");
        assertThat(broker.get("KAFKA_SSL_KEYSTORE_PASSWORD")).startsWith("${KAFKA_BROKER_STORE_PASSWORD");
        secure().get("services").fields().forEachRemaining(service -> {
            if (!List.of("kafka", "kafka-tls").contains(service.getKey()) && service.getValue().has("volumes")) {
                assertThat(texts(service.getValue().get("volumes"))).as(service.getKey() + " never mounts the broker's key")
                        .noneMatch(v -> v.startsWith("kafka-broker-tls"));
            }
        });
        assertThat(broker).containsEntry("KAFKA_AUTHORIZER_CLASS_NAME", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .containsEntry("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND", "false");
        assertThat(broker).containsEntry("KAFKA_SUPER_USERS", "User:admin");
        for (String listener : List.of("INTERNAL", "EXTERNAL", "CONTROLLER")) {
            String jaas = broker.get("KAFKA_LISTENER_NAME_" + listener + "_PLAIN_SASL_JAAS_CONFIG");
            for (String service : SERVICES) {
                assertThat(jaas).as(listener).contains("user_" + service + "=\"${KAFKA_PASSWORD_"
                        + service.toUpperCase().replace('-', '_'));
            }
        }
        assertThat(texts(DeploymentFiles.compose().get("services").get("kafka").get("ports"))).allMatch(p -> p.startsWith("127.0.0.1:"));
    }

    @Test
    void theTlsScriptMakesAKeyStoreThatAClientOfTheCaVerifiesForKafkaAndLocalhostAndKeepsIt() throws Exception {
        Path broker = Files.createDirectories(work.resolve("broker-tls"));
        Path shared = Files.createDirectories(work.resolve("tls"));
        Map<String, String> passwords = Map.of("KAFKA_BROKER_STORE_PASSWORD", BROKER_PASSWORD,
                "KAFKA_TLS_STORE_PASSWORD", STORE_PASSWORD);
        runScript("kafka-tls.sh", passwords, broker.toString(), shared.toString());

        KeyStore keys = load(broker.resolve("broker.p12"), BROKER_PASSWORD);
        KeyStore trust = load(shared.resolve("truststore.p12"), STORE_PASSWORD);
        X509Certificate ca = (X509Certificate) trust.getCertificate("ca");
        X509Certificate[] chain = Arrays.stream(keys.getCertificateChain("kafka")).map(X509Certificate.class::cast)
                .toArray(X509Certificate[]::new);
        chain[0].verify(ca.getPublicKey()); // signed by the CA the clients trust
        assertThat(chain[0].getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
                .contains("kafka", "localhost");
        assertThat(keys.isKeyEntry("kafka")).isTrue();
        try (var files = Files.list(shared)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).as("what every client mounts: no key")
                    .containsExactlyInAnyOrder("truststore.p12", "ca.crt");
        }
        assertThat(Files.getPosixFilePermissions(broker.resolve("ca.p12"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        byte[] before = Files.readAllBytes(broker.resolve("broker.p12"));
        runScript("kafka-tls.sh", passwords, broker.toString(), shared.toString());
        assertThat(Files.readAllBytes(broker.resolve("broker.p12"))).as("a second run keeps the stores").isEqualTo(before);
        runScript("kafka-tls.sh", Map.of("KAFKA_BROKER_STORE_PASSWORD", "another pass", "KAFKA_TLS_STORE_PASSWORD", "other pass"),
                broker.toString(), shared.toString());
        assertThat(load(broker.resolve("broker.p12"), "another pass").isKeyEntry("kafka"))
                .as("stores its passwords do not open are made again").isTrue();
    }

    @Test
    void theGrantsScriptRunsTheVeryTopicAndAclLinesOfDocsKafkaMd() throws Exception {
        Path bin = Files.createDirectories(work.resolve("kafka/bin"));
        Path calls = work.resolve("calls");
        for (String tool : List.of("kafka-topics.sh", "kafka-acls.sh")) {
            Path script = bin.resolve(tool);
            Files.writeString(script, "#!/bin/sh\necho \"" + tool + " $*\" >> " + calls + "\n"
                    + "grep -q 'password=\"admin-pass\"' admin.properties || exit 3\n");
            script.toFile().setExecutable(true);
        }
        String docs = DeploymentFiles.root().resolve("docs/kafka.md").toString();

        runScript("kafka-acls.sh", Map.of("KAFKA_HOME", work.resolve("kafka").toString(), "KAFKA_PASSWORD_ADMIN", "admin-pass",
                "KAFKA_TLS_STORE_PASSWORD", STORE_PASSWORD, "KAFKA_TLS_DIR", work.toString(),
                "BACKUPRELAY_TOPIC_PREFIX", "env1."), docs);

        List<String> lines = Files.readAllLines(calls);
        List<String> topics = lines.stream().filter(l -> l.startsWith("kafka-topics.sh")).toList();
        List<String> acls = lines.stream().filter(l -> l.startsWith("kafka-acls.sh")).toList();
        assertThat(topics).hasSize(13).allMatch(l -> l.contains("--replication-factor 1") && l.contains("--if-not-exists")
                && l.contains("--topic env1.backup.") && l.contains("--command-config admin.properties"));
        assertThat(topics).as("the activity log kept as long as the services expect").anyMatch(l -> l.contains(
                "--topic env1.backup.activity ") && l.contains("retention.ms=" + Topics.ACTIVITY_RETENTION_MS));
        String documented = Files.readString(Path.of(docs));
        long documentedGrants = documented.lines().filter(l -> l.startsWith("kafka-acls ")).count();
        assertThat(acls).hasSize((int) (documentedGrants + 6 * 2)); // the first block runs for each of seven services
        for (String service : SERVICES) {
            assertThat(acls).as(service).anyMatch(l -> l.contains("--allow-principal User:" + service + " ")
                    && l.contains("--operation Read"));
        }
        assertThat(acls).allMatch(l -> l.contains("--bootstrap-server kafka:9092"));
    }

    private void runScript(String name, Map<String, String> env, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", DeploymentFiles.root().resolve("deploy/compose").resolve(name)
                .toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                + builder.environment().get("PATH"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private static KeyStore load(Path file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> environment = new HashMap<>();
        service.get("environment").fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        return environment;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static JsonNode secure() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(DeploymentFiles.root().resolve("deploy/compose/secure.yml").toFile());
    }

    /** Where the deployment files are. */
    static final class DeploymentFiles {

        static JsonNode compose() throws Exception {
            return new ObjectMapper(new YAMLFactory()).readTree(root().resolve("docker-compose.yml").toFile());
        }

        static Path root() {
            return AzuriteProcess.home().getParent().getParent();
        }
    }
}
