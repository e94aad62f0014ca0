package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.backuprelay.azurite.AzuriteProcess;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.HealthCommand;
import io.backuprelay.common.service.ServiceDefinition;
import io.backuprelay.common.service.ServiceProcess;
import io.backuprelay.console.SampleSetup;
import io.backuprelay.dump.DumpWorkerConfig;
import io.backuprelay.upload.UploadWorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker-compose.yml against the configuration the services actually read: every variable it sets
 * is one its service reads, the service starts with it, it is built as that service, and the
 * workers that share staging mount the same volume where they look for it.
 */
class DeploymentFilesTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void composeConfiguresEachServiceWithWhatItReads(String name) throws Exception {
        JsonNode service = compose().get("services").get(name);
        assertThat(service).as(name + " in docker-compose.yml").isNotNull();
        assertThat(service.get("build").get("args").get("SERVICE").asText()).isEqualTo(name);
        assertThat(service.get("image").asText()).isEqualTo("backuprelay/" + name);

        Map<String, String> environment = new HashMap<>();
        service.get("environment").fields().forEachRemaining(e -> environment.put(e.getKey(), resolved(e.getValue().asText())));
        ConfigSource config = new ConfigSource(environment);
        ServiceDefinition definition = Services.named(name);
        KafkaSettings.from(config);
        definition.check(config); // throws, naming the variable, if one is missing or wrong

        Set<String> declared = new HashSet<>();
        ServiceProcess.settingsOf(List.of(definition)).forEach(setting -> declared.add(setting.name()));
        assertThat(config.asked()).as("what " + name + " reads is what it declares").allMatch(declared::contains);
        assertThat(environment.keySet()).as("every variable compose sets for " + name + " is one it reads")
                .allMatch(declared::contains);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void dockerWaitsForTheGraceOfRunningJobsAndChecksLivenessWithTheServicesOwnJar(String name) throws Exception {
        JsonNode service = compose().get("services").get(name);
        Duration grace = Duration.parse("PT" + service.get("stop_grace_period").asText().toUpperCase());
        ConfigSource defaults = new ConfigSource(Map.of());
        assertThat(grace).as("Docker's stop grace exceeds the service's own, plus its cleanup")
                .isGreaterThan(DumpWorkerConfig.from(defaults).shutdownGrace().plusSeconds(30))
                .isGreaterThan(UploadWorkerConfig.from(defaults).shutdownGrace().plusSeconds(30));
        List<String> test = StreamSupport.stream(service.get("healthcheck").get("test").spliterator(), false)
                .map(JsonNode::asText).toList();
        assertThat(test).containsSubsequence("CMD", "java", "-cp", "app.jar",
                HealthCommand.class.getName(), "http://127.0.0.1:8081/health/live");
        assertThat(service.get("environment").has("SERVICE_PORT")).as("health is served on the default port 8081").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dump-worker", "upload-worker"})
    void theWorkersShareStagingOnOneVolumeWhereTheyLookForIt(String name) throws Exception {
        JsonNode service = compose().get("services").get(name);
        String staging = service.get("environment").get("BACKUPRELAY_STAGING_DIR").asText();
        List<String> volumes = StreamSupport.stream(service.get("volumes").spliterator(), false)
                .map(JsonNode::asText).toList();
        assertThat(volumes).contains("staging:" + staging);
        assertThat(compose().get("volumes").has("staging")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void theDockerfileBuildsTheRunnableJarOfEachService(String name) throws Exception {
        String dockerfile = Files.readString(root().resolve("Dockerfile"));
        // JRE 25: the scheduler's image trains and uses an AOT cache (JEP 483/514/515), read through @jvm.options.
        assertThat(dockerfile).contains("FROM eclipse-temurin:25-jre").contains("ARG SERVICE")
                .contains("COPY ${SERVICE}/target/backuprelay-${SERVICE}-*-runnable.jar app.jar")
                .contains("postgresql-client").contains("mariadb-client")
                .contains("COPY deploy/jvm/service.options jvm.options").contains("ENV MALLOC_ARENA_MAX=2")
                .contains("java @jvm.options -Xmx1g -XX:AOTCacheOutput=app.aot -cp app.jar io.backuprelay.scheduler.SchedulerTraining")
                .contains("echo \"-XX:AOTCache=app.aot\" >> jvm.options")
                .contains("ENTRYPOINT [\"java\", \"@jvm.options\", \"-jar\", \"app.jar\"]");
        assertThat(root().resolve("scheduler/src/main/java/io/backuprelay/scheduler/SchedulerTraining.java"))
                .as("the training run the image names").exists();
        assertThat(root().resolve(name).resolve("pom.xml")).content().contains("<classifier>runnable</classifier>");
    }

    /** The services, as the runnable jars and the standalone mode know them. */
    static List<String> serviceNames() {
        return Services.ALL.stream().map(ServiceDefinition::name).toList();
    }

    @Test
    void everyServiceIsInTheComposeFile() throws Exception {
        assertThat(serviceNames()).containsExactly("scheduler", "dump-worker", "upload-worker", "notifier", "verifier",
                "copier", "console");
    }

    private static String resolved(String value) {
        // ${VAR:?message} is the operator's to give; a valid value stands in for it here.
        if (value.startsWith("${BACKUPRELAY_MASTER_KEY")) {
            return SecretSealer.newBase64Key();
        }
        if (value.startsWith("${CONSOLE_JWT_SECRET")) {
            return "a-console-secret-of-at-least-32-characters";
        }
        return value;
    }

    @Test
    void composePublishesTheBrokerTheConsoleAndEachServicesHealthAndMetrics() throws Exception {
        JsonNode services = compose().get("services");
        JsonNode kafka = services.get("kafka");
        assertThat(texts(kafka.get("ports"))).contains("127.0.0.1:9094:9094");
        assertThat(kafka.get("environment").get("KAFKA_ADVERTISED_LISTENERS").asText()).contains("EXTERNAL://localhost:9094");
        assertThat(kafka.get("environment").get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText()).contains("EXTERNAL:PLAINTEXT");
        for (String name : serviceNames()) {
            assertThat(texts(services.get(name).get("ports"))).as(name + " publishes its /metrics and /health port")
                    .anyMatch(port -> port.endsWith(":8081"));
        }
        assertThat(texts(services.get("console").get("ports"))).contains("127.0.0.1:8080:8080");
        // The broker's PLAINTEXT listener, Azurite's well-known key, Mailpit and the unauthenticated
        // management ports must never face another machine: every published port is loopback's.
        services.fields().forEachRemaining(service -> {
            if (service.getValue().has("ports")) {
                assertThat(texts(service.getValue().get("ports"))).as(service.getKey() + " publishes on loopback only")
                        .allMatch(port -> port.startsWith("127.0.0.1:"));
            }
        });
    }

    @Test
    void everyDependencyIsWaitedForUntilItsHealthcheckPasses() throws Exception {
        JsonNode services = compose().get("services");
        List<String> checked = new ArrayList<>();
        services.fields().forEachRemaining(service -> {
            JsonNode dependsOn = service.getValue().get("depends_on");
            if (dependsOn == null) {
                return;
            }
            assertThat(dependsOn.isObject()).as(service.getKey() + ": depends_on with conditions").isTrue();
            dependsOn.fields().forEachRemaining(dependency -> {
                assertThat(dependency.getValue().get("condition").asText()).as(service.getKey() + " → " + dependency.getKey())
                        .isEqualTo("service_healthy");
                assertThat(services.get(dependency.getKey()).has("healthcheck"))
                        .as(dependency.getKey() + " has a healthcheck").isTrue();
                checked.add(dependency.getKey());
            });
        });
        assertThat(checked).contains("kafka", "console", "postgres", "azurite", "mailpit");
    }

    @Test
    void theInitRegistersTheSampleDatabaseWithTheProgramSampleSetupIT() throws Exception {
        JsonNode init = compose().get("services").get("init");
        assertThat(texts(init.get("entrypoint"))).containsSubsequence("java", "-cp", "app.jar",
                SampleSetup.class.getName());
        assertThat(init.get("image").asText()).isEqualTo("backuprelay/console");
        Map<String, String> environment = new HashMap<>();
        init.get("environment").fields().forEachRemaining(e -> environment.put(e.getKey(), resolved(e.getValue().asText())));
        assertThat(environment).containsKeys("CONSOLE_URL", "CONSOLE_JWT_SECRET", "SAMPLE_STORAGE_KEY",
                "SAMPLE_STORAGE_ENDPOINT", "SAMPLE_DB_NAME");
        assertThat(environment.keySet()).allMatch(name -> name.startsWith("SAMPLE_") || name.startsWith("CONSOLE_")
                || name.equals("BACKUPRELAY_ALLOWED_ENDPOINTS"));
        assertThat(environment.get("SAMPLE_STORAGE_ENDPOINT")).startsWith(environment.get("BACKUPRELAY_ALLOWED_ENDPOINTS"));
        JsonNode postgres = compose().get("services").get("postgres");
        String mount = texts(postgres.get("volumes")).stream().filter(v -> v.contains("initdb")).findFirst().orElseThrow();
        assertThat(root().resolve(mount.substring(0, mount.indexOf(':')))).exists();
        assertThat(environment.get("SAMPLE_DB_NAME")).isEqualTo(postgres.get("environment").get("POSTGRES_DB").asText());
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(root().resolve("docker-compose.yml").toFile());
    }

    private static Path root() {
        return AzuriteProcess.home().getParent().getParent();
    }
}
