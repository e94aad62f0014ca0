package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.BrokerProcess;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.ServiceJars;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seven services, each from its runnable jar and signed in as its own SCRAM user, back up a
 * database through a broker that requires SASL/SCRAM over TLS and allows each user only what the
 * {@code kafka-acls} lines of docs/kafka.md grant. The services create no topic. One service's
 * credentials do not open another's topics or group.
 */
class SecuredClusterIT {

    private static final List<String> SERVICES = List.of("scheduler", "dump-worker", "upload-worker", "notifier",
            "verifier", "copier", "console");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String JWT_SECRET = "secured-cluster-secret-" + UUID.randomUUID();

    @TempDir
    Path work;

    @Test
    void aBackupRunsThroughTheServicesOnASaslScramTlsClusterWithOnlyTheDocumentedAcls() throws Exception {
        String adminPassword = "admin-" + UUID.randomUUID();
        Map<String, String> passwords = new LinkedHashMap<>();
        SERVICES.forEach(s -> passwords.put(s, s + "-" + UUID.randomUUID()));
        Path brokerDir = Files.createDirectories(work.resolve("broker"));
        List<Process> processes = new ArrayList<>();
        try (BrokerProcess broker = BrokerProcess.startSecured(brokerDir, adminPassword);
             ScratchDatabase database = ScratchDatabase.postgres()) {
            String prefix = TestKafka.uniquePrefix();
            Topics topics = new Topics(prefix);
            KafkaSettings admin = settings(broker, topics, "admin", adminPassword);
            try (Admin client = Admin.create(admin.common("it-admin"))) {
                List<UserScramCredentialUpsertion> users = new ArrayList<>();
                passwords.forEach((user, password) -> users.add(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)));
                client.alterUserScramCredentials(List.copyOf(users)).all().get();
                client.createAcls(documentedAcls(prefix)).all().get();
            }
            TopicProvisioner.ensureTopics(admin, 2, (short) 1); // the operator creates them; the services may not

            database.execute("CREATE TABLE invoice (id serial PRIMARY KEY, total numeric(10,2))",
                    "INSERT INTO invoice (total) SELECT g * 1.5 FROM generate_series(1, 500) g");
            String container = "secured-" + UUID.randomUUID().toString().substring(0, 8);
            new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                    .createBlobContainer(container);

            Map<String, Integer> ports = new HashMap<>();
            String masterKey = SecretSealer.newBase64Key();
            int consolePort = ServiceJars.freePort();
            for (String service : SERVICES) {
                ports.put(service, ServiceJars.freePort());
                Map<String, String> env = new HashMap<>(Map.ofEntries(
                        Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                        Map.entry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
                        Map.entry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
                        Map.entry("KAFKA_SASL_JAAS_CONFIG", BrokerProcess.scramJaas(service, passwords.get(service))),
                        Map.entry("KAFKA_SSL_TRUSTSTORE_LOCATION", broker.trustStore().toString()),
                        Map.entry("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12"),
                        Map.entry("KAFKA_SSL_TRUSTSTORE_PASSWORD", BrokerProcess.TRUST_STORE_PASSWORD),
                        Map.entry("BACKUPRELAY_CREATE_TOPICS", "false"),
                        Map.entry("BACKUPRELAY_TOPIC_PREFIX", prefix),
                        Map.entry("BACKUPRELAY_MASTER_KEY", masterKey),
                        Map.entry("BACKUPRELAY_ALLOWED_ENDPOINTS", origin(Azurite.blobEndpoint())),
                        Map.entry("BACKUPRELAY_STAGING_DIR", work.resolve("staging").toString()),
                        Map.entry("SCHEDULER_STATE_DIR", work.resolve("scheduler-state").toString()),
                        Map.entry("SMTP_HOST", "127.0.0.1"),
                        Map.entry("SMTP_PORT", Integer.toString(TestSmtp.port())),
                        Map.entry("SMTP_SECURITY", "NONE"),
                        Map.entry("SMTP_FROM", "backups@platform.example"),
                        Map.entry("CONSOLE_HOST", "127.0.0.1"),
                        Map.entry("CONSOLE_PORT", Integer.toString(consolePort)),
                        Map.entry("CONSOLE_JWT_SECRET", JWT_SECRET),
                        Map.entry("SERVICE_HOST", "127.0.0.1"),
                        Map.entry("SERVICE_PORT", Integer.toString(ports.get(service)))));
                processes.add(start(service, env));
            }
            for (String service : SERVICES) {
                await().atMost(Duration.ofSeconds(120)).until(() -> ServiceJars.ready(ports.get(service)));
            }

            TokenMinter minter = new TokenMinter(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null);
            String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
            String base = "http://127.0.0.1:" + consolePort;
            call("PUT", base + "/api/operator/accounts/" + account, minter.mint("ops", null, null, Role.OPERATOR,
                    Duration.ofHours(1)), """
                    {"displayName":"Secured","locale":"en","timeZone":"UTC","superadminEmails":["%s@tenant.example"],
                     "source":{"engine":"POSTGRESQL","host":"127.0.0.1","port":5432,"database":"%s","username":"postgres"},
                     "storageOrigins":["%s"]}
                    """.formatted(account, database.name(), origin(Azurite.blobEndpoint())));
            String superadmin = minter.mint("admin", account + "@tenant.example", account, Role.SUPERADMIN,
                    Duration.ofHours(1));
            call("POST", base + "/api/accounts/" + account + "/connections", superadmin, """
                    {"type":"AZURE_BLOB","storageAccountName":"%s","containerName":"%s","accessKey":"%s",
                     "enabledForAutomaticBackup":true,"endpoint":"%s"}
                    """.formatted(Azurite.ACCOUNT_NAME, container, Azurite.ACCOUNT_KEY, Azurite.blobEndpoint()));
            call("POST", base + "/api/accounts/" + account + "/backups", superadmin, null);

            await().atMost(Duration.ofSeconds(180)).until(() -> !TestSmtp.messagesTo(account + "@tenant.example").isEmpty());
            assertThat(TestSmtp.messagesTo(account + "@tenant.example").getFirst().getSubject())
                    .startsWith("Database backup completed");
            assertThat(new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                    .getBlobContainerClient(container).listBlobs().stream()
                    .anyMatch(b -> b.getName().endsWith(".dump.zst"))).isTrue();

            // The notifier's credentials neither write a backup request nor join the dump workers' group.
            KafkaSettings notifier = settings(broker, topics, "notifier", passwords.get("notifier"));
            try (var producer = new KafkaProducer<String, byte[]>(notifier.producer("it-intruder", null))) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topics.requests(), account,
                        "{}".getBytes(StandardCharsets.UTF_8))).get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            try (var consumer = new KafkaConsumer<String, byte[]>(notifier.consumer("it-intruder",
                    prefix + "backuprelay-dump-worker"))) {
                consumer.subscribe(List.of(topics.outcomes()));
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 50; i++) {
                        consumer.poll(Duration.ofMillis(200));
                    }
                }).isInstanceOf(GroupAuthorizationException.class);
            }
        } finally {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    /** The client settings of one principal, as its environment would give them. */
    private static KafkaSettings settings(BrokerProcess broker, Topics topics, String user, String password) {
        return new KafkaSettings(broker.bootstrapServers(), topics, Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", BrokerProcess.scramJaas(user, password),
                "ssl.truststore.location", broker.trustStore().toString(),
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.password", BrokerProcess.TRUST_STORE_PASSWORD));
    }

    /** Every {@code kafka-acls} line of docs/kafka.md, with its loop and variables, as bindings. */
    static List<AclBinding> documentedAcls(String prefix) throws Exception {
        Path docs = AzuriteProcess.home().getParent().getParent().resolve("docs").resolve("kafka.md");
        List<AclBinding> bindings = new ArrayList<>();
        List<String> loop = null;
        List<String> loopServices = List.of();
        String service = null;
        for (String raw : Files.readAllLines(docs)) {
            String line = raw.strip();
            if (line.startsWith("for S in ")) {
                loopServices = List.of(line.substring("for S in ".length(), line.indexOf(';')).split(" "));
                loop = new ArrayList<>();
            } else if (line.equals("done") && loop != null) {
                for (String each : loopServices) {
                    for (String command : loop) {
                        bindings.addAll(acls(command, each, prefix));
                    }
                }
                loop = null;
            } else if (line.startsWith("S=")) {
                service = line.substring(2);
            } else if (line.startsWith("kafka-acls ")) {
                if (loop != null) {
                    loop.add(line);
                } else {
                    bindings.addAll(acls(line, service, prefix));
                }
            }
        }
        assertThat(bindings).as("ACL lines in docs/kafka.md").hasSizeGreaterThan(30);
        return bindings;
    }

    private static List<AclBinding> acls(String command, String service, String prefix) {
        List<String> words = new ArrayList<>();
        for (String word : command.replace("${P}", prefix).replace("$S", service).split(" ")) {
            words.add(word.replace("\"", ""));
        }
        String principal = null;
        PatternType pattern = PatternType.LITERAL;
        List<AclOperation> operations = new ArrayList<>();
        List<ResourcePattern> resources = new ArrayList<>();
        List<String[]> named = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            switch (words.get(i)) {
                case "--allow-principal" -> principal = words.get(++i);
                // kafka-acls spells them DescribeConfigs, the enum DESCRIBE_CONFIGS
                case "--operation" -> operations.add(AclOperation.fromString(
                        words.get(++i).replaceAll("([a-z])([A-Z])", "$1_$2")));
                case "--topic", "--group", "--transactional-id" -> named.add(new String[] {words.get(i), words.get(++i)});
                case "--resource-pattern-type" -> pattern = PatternType.valueOf(words.get(++i).toUpperCase(Locale.ROOT));
                default -> { }
            }
        }
        for (String[] resource : named) {
            ResourceType type = switch (resource[0]) {
                case "--topic" -> ResourceType.TOPIC;
                case "--group" -> ResourceType.GROUP;
                default -> ResourceType.TRANSACTIONAL_ID;
            };
            resources.add(new ResourcePattern(type, resource[1], pattern));
        }
        assertThat(principal).as(command).isNotNull();
        assertThat(operations).as(command).doesNotContain(AclOperation.UNKNOWN).isNotEmpty();
        List<AclBinding> bindings = new ArrayList<>();
        for (ResourcePattern resource : resources) {
            for (AclOperation operation : operations) {
                bindings.add(new AclBinding(resource, new AccessControlEntry(principal, "*", operation,
                        AclPermissionType.ALLOW)));
            }
        }
        return bindings;
    }

    private Process start(String module, Map<String, String> env) throws Exception {
        return ServiceJars.start(ServiceJars.runnableJar(module), env, work.resolve(module + ".log"),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED");
    }

    private static void call(String method, String url, String token, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + url + ": " + response.body()).isBetween(200, 299);
    }

    private static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
    }

}
