package io.backuprelay.standalone;

import static io.backuprelay.standalone.HelmChart.container;
import static io.backuprelay.standalone.HelmChart.env;
import static io.backuprelay.standalone.HelmChart.list;
import static io.backuprelay.standalone.HelmChart.of;
import static io.backuprelay.standalone.HelmChart.ofKind;
import static io.backuprelay.standalone.HelmChart.render;
import static io.backuprelay.standalone.HelmChart.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import io.backuprelay.common.kafka.KafkaClientProperties;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceDefinition;
import io.backuprelay.common.service.ServiceProcess;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.copy.CopierConfig;
import io.backuprelay.dump.DumpWorkerConfig;
import io.backuprelay.notify.NotifierConfig;
import io.backuprelay.upload.UploadWorkerConfig;
import io.backuprelay.verify.VerifierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart deploy/helm/backuprelay, rendered by Helm and checked as an operator would before
 * installing it: every manifest valid for its kind, each Deployment setting what its service reads
 * and nothing else, secrets only from Secrets, the pods' stop grace longer than their jobs', KEDA
 * scaling the workers on the code's own groups and topics, and the Strimzi users and topics the
 * ones docs/kafka.md and the code define. No cluster runs here: nothing is installed.
 */
class HelmChartTest {

    private static final String PREFIX = "staging.";
    /** Everything on, under a topic prefix, as a cluster with Strimzi, KEDA and the Prometheus operator has it. */
    private static final Map<String, Object> FULL = Map.of("strimzi.enabled", true, "kafka.topicPrefix", PREFIX,
            "services.notifier.secretEnv.SMTP_PASSWORD.name", "backuprelay-smtp",
            "services.notifier.secretEnv.SMTP_PASSWORD.key", "password",
            "services.notifier.env.SMTP_HOST", "smtp.example.com",
            "services.notifier.env.SMTP_USERNAME", "backuprelay");
    /** After the grace, a worker still waits for its jobs' cleanup and 10 s more (JobWorker.close). */
    private static final Duration AFTER_GRACE = Duration.ofSeconds(40);
    private static final Set<String> SCALED = Set.of("dump-worker", "upload-worker", "verifier");

    static List<String> serviceNames() {
        return DeploymentFilesTest.serviceNames();
    }

    @Test
    void everyRenderedManifestIsValidForItsKind() throws Exception {
        List<JsonNode> manifests = render(FULL);
        assertThat(manifests.stream().map(m -> m.path("kind").asText()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("Deployment", "Service", "PodDisruptionBudget", "ConfigMap",
                        "PersistentVolumeClaim", "ServiceMonitor", "PrometheusRule", "ScaledObject", "KafkaUser",
                        "KafkaTopic");
        assertThat(manifests.stream().flatMap(m -> violations(m).stream()).toList()).isEmpty();
        List<JsonNode> defaults = render(Map.of());
        assertThat(defaults.stream().flatMap(m -> violations(m).stream()).toList()).isEmpty();
        assertThat(ofKind(defaults, "KafkaUser")).as("Strimzi is off by default").isEmpty();
        LintResult lint = new Helm(HelmChart.chart()).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theValidatorRejectsAMisspelledFieldAWrongTypeAndAWrongValue() throws Exception {
        List<JsonNode> manifests = render(FULL);
        ObjectNode deployment = HelmChart.copy(of(manifests, "Deployment", "dump-worker"));
        ((ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0)
                .path("livenessProbe")).put("periodSecond", 15);
        assertThat(violations(deployment)).singleElement().asString().contains("periodSecond");

        ObjectNode wrongType = HelmChart.copy(of(manifests, "Deployment", "dump-worker"));
        ((ObjectNode) wrongType.path("spec").path("template").path("spec")).put("terminationGracePeriodSeconds", "90s");
        assertThat(violations(wrongType)).singleElement().asString().contains("terminationGracePeriodSeconds");

        ObjectNode scaled = HelmChart.copy(of(manifests, "ScaledObject", "dump-worker"));
        ((ObjectNode) scaled.path("spec")).put("maxReplicas", 6);
        assertThat(violations(scaled)).singleElement().asString().contains("maxReplicas");

        ObjectNode user = HelmChart.copy(of(manifests, "KafkaUser", "copier"));
        ((ObjectNode) user.path("spec").path("authorization")).put("type", "simpel");
        assertThat(violations(user)).isNotEmpty().allMatch(error -> error.contains("type"));

        ObjectNode unknown = HelmChart.copy(of(manifests, "Service", "console"));
        unknown.put("kind", "Servcie");
        assertThat(violations(unknown)).singleElement().asString().contains("no schema");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void eachDeploymentSetsWhatItsServiceReadsAndNothingElse(String name) throws Exception {
        Map<String, String> env = env(of(render(FULL), "Deployment", name));
        ServiceDefinition definition = Services.named(name);
        List<Setting<?>> declared = ServiceProcess.settingsOf(List.of(definition));
        Set<String> names = declared.stream().map(Setting::name).collect(Collectors.toSet());
        for (String variable : env.keySet()) {
            if (variable.startsWith("KAFKA_") && !names.contains(variable)) {
                assertThat(KafkaClientProperties.from(Map.of(variable, "x"))).as(variable + " names a Kafka client property")
                        .isNotEmpty();
            } else {
                assertThat(names).as("the chart sets " + variable + " for " + name + ": one it reads").contains(variable);
            }
        }
        ConfigSource config = new ConfigSource(withSecretsFilledIn(env));
        KafkaSettings kafka = KafkaSettings.from(config);
        definition.check(config); // throws, naming the variable, if a required one is missing or a value wrong
        assertThat(kafka.topics().prefix()).isEqualTo(PREFIX);
        assertThat(kafka.common("probe")).containsKeys("sasl.jaas.config", "security.protocol", "ssl.truststore.location");
        Set<String> asked = new HashSet<>(config.asked());
        assertThat(asked).as("what " + name + " reads is what it declares")
                .allMatch(variable -> names.contains(variable) || variable.startsWith("KAFKA_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void secretsComeFromSecretsNeverFromLiterals(String name) throws Exception {
        JsonNode deployment = of(render(FULL), "Deployment", name);
        Set<String> secret = ServiceProcess.settingsOf(List.of(Services.named(name))).stream()
                .filter(Setting::isSecret).map(Setting::name).collect(Collectors.toSet());
        for (JsonNode variable : container(deployment).path("env")) {
            String variableName = variable.path("name").asText();
            boolean isSecret = secret.contains(variableName) || variableName.equals("KAFKA_SASL_JAAS_CONFIG")
                    || variableName.endsWith("_PASSWORD");
            if (isSecret) {
                assertThat(variable.has("value")).as(variableName + " has no literal value").isFalse();
                assertThat(variable.path("valueFrom").path("secretKeyRef").path("name").asText())
                        .as(variableName + " from a Secret").isNotBlank();
            }
        }
        Map<String, String> env = env(deployment);
        if (!name.equals("scheduler")) {
            assertThat(env.get("BACKUPRELAY_MASTER_KEY")).isEqualTo("secret:backuprelay-master-key/master-key");
        }
        assertThat(env.get("KAFKA_SASL_JAAS_CONFIG")).as("Strimzi's Secret of the service's own KafkaUser")
                .isEqualTo("secret:" + name + "/sasl.jaas.config");
        if (name.equals("notifier")) {
            assertThat(env.get("SMTP_PASSWORD")).isEqualTo("secret:backuprelay-smtp/password");
        }
        if (name.equals("console")) {
            assertThat(env.get("CONSOLE_JWT_SECRET")).isEqualTo("secret:backuprelay-console/jwt-secret");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void podsRunAsNonRootOnAReadOnlyRootWithEveryPathTheyWriteMounted(String name) throws Exception {
        JsonNode deployment = of(render(FULL), "Deployment", name);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = container(deployment);
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).as("the image's user").isEqualTo(10001);
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(list(container.path("securityContext").path("capabilities").path("drop")))
                .extracting(JsonNode::asText).containsExactly("ALL");
        Set<String> mounts = list(container.path("volumeMounts")).stream().map(m -> m.path("mountPath").asText())
                .collect(Collectors.toSet());
        assertThat(mounts).as("the JVM's and native libraries' temporary files").contains("/tmp");
        Map<String, String> env = env(deployment);
        for (Setting<?> setting : ServiceProcess.settingsOf(List.of(Services.named(name)))) {
            if (setting.fallback() instanceof Path path && !path.isAbsolute()) {
                // Relative to /app, on the read-only root: the chart must point it at a volume.
                assertThat(env.get(setting.name())).as(name + " writes " + setting.name() + " on a volume")
                        .isNotNull().isIn(mounts);
            }
        }
        for (String limit : List.of("requests", "limits")) {
            assertThat(container.path("resources").path(limit).path("memory").asText()).as(limit).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void probesAskTheHealthEndpointsOnThePortTheServiceServesThemOn(String name) throws Exception {
        JsonNode deployment = of(render(FULL), "Deployment", name);
        JsonNode container = container(deployment);
        int port = CommonSettings.SERVICE_PORT.read(new ConfigSource(env(deployment)));
        assertThat(port).isEqualTo(CommonSettings.SERVICE_PORT.fallback());
        JsonNode health = list(container.path("ports")).stream().filter(p -> p.path("name").asText().equals("health"))
                .findFirst().orElseThrow();
        assertThat(health.path("containerPort").asInt()).isEqualTo(port);
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
        assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("health");
        assertThat(container.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("health");
        JsonNode service = of(render(FULL), "Service", name);
        assertThat(list(service.path("spec").path("ports"))).anyMatch(p -> p.path("port").asInt() == port);
        assertThat(of(render(FULL), "PodDisruptionBudget", name).path("spec").path("selector").path("matchLabels"))
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNames")
    void kubernetesWaitsLongerForAStoppingPodThanItsJobsMayRun(String name) throws Exception {
        Map<String, Object> longer = Map.of("services.dump-worker.jobGraceSeconds", 300,
                "services.upload-worker.jobGraceSeconds", 600);
        assertThatThrownBy(() -> render(longer)).as("KEDA would stop the next pod while one still drains")
                .hasMessageContaining("keda.scaleDownPeriodSeconds must be at least");
        Map<String, Object> withLongerScaleDown = new HashMap<>(longer);
        withLongerScaleDown.put("keda.scaleDownPeriodSeconds", 900);
        for (Map<String, Object> values : List.of(FULL, withLongerScaleDown)) {
            JsonNode deployment = of(render(values), "Deployment", name);
            ConfigSource config = new ConfigSource(withSecretsFilledIn(env(deployment)));
            Duration grace = switch (name) {
                case "dump-worker" -> DumpWorkerConfig.from(config).shutdownGrace();
                case "upload-worker" -> UploadWorkerConfig.from(config).shutdownGrace();
                default -> Duration.ofSeconds(30); // the longest fixed grace of the others (VerifierWorker, CopierWorker)
            };
            if (values.containsKey("services." + name + ".jobGraceSeconds")) {
                assertThat(grace).as("the value reaches the service").isEqualTo(
                        Duration.ofSeconds((Integer) values.get("services." + name + ".jobGraceSeconds")));
            }
            long termination = deployment.path("spec").path("template").path("spec")
                    .path("terminationGracePeriodSeconds").asLong();
            assertThat(Duration.ofSeconds(termination)).isGreaterThan(grace.plus(AFTER_GRACE));
        }
    }

    @Test
    void kedaScalesEachWorkerOnItsOwnGroupsLagUpToItsTopicsPartitions() throws Exception {
        List<JsonNode> manifests = render(FULL);
        Topics topics = new Topics(PREFIX);
        Map<String, List<String>> expected = Map.of(
                "dump-worker", List.of(PREFIX + DumpWorkerConfig.GROUP_ID, topics.requests()),
                "upload-worker", List.of(PREFIX + UploadWorkerConfig.GROUP_ID, topics.dumps()),
                "verifier", List.of(PREFIX + VerifierConfig.GROUP_ID, topics.outcomes()));
        assertThat(ofKind(manifests, "ScaledObject")).hasSize(SCALED.size());
        for (String name : SCALED) {
            JsonNode scaled = of(manifests, "ScaledObject", name);
            JsonNode deployment = of(manifests, "Deployment", name);
            JsonNode trigger = scaled.path("spec").path("triggers").get(0);
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            assertThat(List.of(trigger.path("metadata").path("consumerGroup").asText(),
                    trigger.path("metadata").path("topic").asText())).as(name).isEqualTo(expected.get(name));
            assertThat(trigger.path("metadata").path("bootstrapServers").asText())
                    .isEqualTo(env(deployment).get("KAFKA_BOOTSTRAP_SERVERS"));
            assertThat(scaled.path("spec").path("scaleTargetRef").path("name").asText())
                    .isEqualTo(deployment.path("metadata").path("name").asText());
            assertThat(deployment.path("spec").has("replicas")).as("KEDA owns the replicas").isFalse();
            int partitions = partitions(manifests, trigger.path("metadata").path("topic").asText());
            assertThat(partitions).isEqualTo(Integer.parseInt(env(deployment).get("BACKUPRELAY_TOPIC_PARTITIONS")));
            assertThat(scaled.path("spec").path("maxReplicaCount").asInt()).isBetween(1, partitions);
            JsonNode scaleDown = scaled.path("spec").path("advanced").path("horizontalPodAutoscalerConfig")
                    .path("behavior").path("scaleDown");
            assertThat(scaleDown.path("stabilizationWindowSeconds").asInt()).isGreaterThanOrEqualTo(300);
            JsonNode policy = scaleDown.path("policies").get(0);
            assertThat(policy.path("type").asText() + policy.path("value").asInt()).as("one pod at a time").isEqualTo("Pods1");
            assertThat(policy.path("periodSeconds").asLong()).as("no second pod stops while one is still draining")
                    .isGreaterThanOrEqualTo(deployment.path("spec").path("template").path("spec")
                            .path("terminationGracePeriodSeconds").asLong());
        }
        assertThatThrownBy(() -> render(Map.of("services.dump-worker.autoscaling.maxReplicas", 25)))
                .hasMessageContaining("exceeds kafka.topicPartitions");
        List<JsonNode> withoutKeda = render(Map.of("keda.enabled", false));
        assertThat(ofKind(withoutKeda, "ScaledObject")).isEmpty();
        assertThat(of(withoutKeda, "Deployment", "dump-worker").path("spec").path("replicas").asInt()).isEqualTo(1);
    }

    private static int partitions(List<JsonNode> manifests, String topic) {
        return ofKind(manifests, "KafkaTopic").stream().filter(t -> t.path("spec").path("topicName").asText().equals(topic))
                .findFirst().orElseThrow().path("spec").path("partitions").asInt();
    }

    @Test
    void strimziTopicsAreTheCodesTopicsWithTheirCleanupAndRetention() throws Exception {
        List<JsonNode> manifests = render(FULL);
        Map<String, JsonNode> rendered = ofKind(manifests, "KafkaTopic").stream()
                .collect(Collectors.toMap(t -> t.path("spec").path("topicName").asText(), t -> t));
        List<Topics.TopicSpec> specs = new Topics(PREFIX).all();
        assertThat(rendered.keySet()).containsExactlyInAnyOrderElementsOf(specs.stream().map(Topics.TopicSpec::name).toList());
        for (Topics.TopicSpec spec : specs) {
            JsonNode config = rendered.get(spec.name()).path("spec").path("config");
            assertThat(config.path("cleanup.policy").asText()).as(spec.name()).isEqualTo(spec.compacted() ? "compact" : "delete");
            if (spec.retentionMs() != null) {
                assertThat(Long.parseLong(config.path("retention.ms").asText())).as(spec.name())
                        .isGreaterThanOrEqualTo(spec.retentionMs());
            }
            assertThat(rendered.get(spec.name()).path("spec").path("replicas").asInt()).isEqualTo(3);
        }
        for (JsonNode deployment : ofKind(manifests, "Deployment")) {
            assertThat(env(deployment).get("BACKUPRELAY_CREATE_TOPICS")).as("Strimzi creates them").isEqualTo("false");
        }
    }

    @Test
    void strimziUsersGrantExactlyTheAclsOfTheDocs() throws Exception {
        List<JsonNode> manifests = render(FULL);
        Set<AclBinding> granted = new HashSet<>();
        for (JsonNode user : ofKind(manifests, "KafkaUser")) {
            assertThat(user.path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
            String principal = "User:" + user.path("metadata").path("name").asText();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                ResourcePattern pattern = new ResourcePattern(switch (resource.path("type").asText()) {
                    case "topic" -> ResourceType.TOPIC;
                    case "group" -> ResourceType.GROUP;
                    case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                    default -> ResourceType.UNKNOWN;
                }, resource.path("name").asText(),
                        resource.path("patternType").asText().equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL);
                for (JsonNode operation : acl.path("operations")) {
                    granted.add(new AclBinding(pattern, new AccessControlEntry(principal, acl.path("host").asText(),
                            AclOperation.fromString(operation.asText().replaceAll("([a-z])([A-Z])", "$1_$2")),
                            AclPermissionType.ALLOW)));
                }
            }
        }
        assertThat(granted).containsExactlyInAnyOrderElementsOf(new HashSet<>(SecuredClusterIT.documentedAcls(PREFIX)));
        assertThat(granted).anyMatch(b -> b.pattern().name().equals(PREFIX + NotifierConfig.GROUP_ID))
                .anyMatch(b -> b.pattern().name().equals(PREFIX + CopierConfig.GROUP_ID));
    }

    @Test
    void prometheusScrapesEveryServiceAndGetsTheAlertRulesAndGrafanaTheDashboard() throws Exception {
        Path chartAlerts = HelmChart.chart().resolve("files/backuprelay-alerts.yml");
        Path chartDashboard = HelmChart.chart().resolve("files/backuprelay-dashboard.json");
        assertThat(chartAlerts).as("the chart's copy").hasSameBinaryContentAs(
                HelmChart.root().resolve("deploy/prometheus/backuprelay-alerts.yml"));
        assertThat(chartDashboard).as("the chart's copy").hasSameBinaryContentAs(
                HelmChart.root().resolve("deploy/grafana/backuprelay-dashboard.json"));
        List<JsonNode> manifests = render(FULL);
        JsonNode rule = ofKind(manifests, "PrometheusRule").getFirst();
        assertThat(rule.path("spec")).isEqualTo(new ObjectMapper(new YAMLFactory()).readTree(chartAlerts.toFile()));
        JsonNode dashboard = ofKind(manifests, "ConfigMap").getFirst();
        assertThat(dashboard.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        assertThat(new ObjectMapper().readTree(dashboard.path("data").path("backuprelay-dashboard.json").asText()))
                .isEqualTo(new ObjectMapper().readTree(Files.readString(chartDashboard)));

        JsonNode monitor = ofKind(manifests, "ServiceMonitor").getFirst();
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        Map<String, String> selector = new HashMap<>();
        monitor.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(e -> selector.put(e.getKey(), e.getValue().asText()));
        String jobLabel = monitor.path("spec").path("jobLabel").asText();
        for (String name : serviceNames()) {
            JsonNode service = of(manifests, "Service", name);
            JsonNode labels = service.path("metadata").path("labels");
            assertThat(selector).allSatisfy((key, value) -> assertThat(labels.path(key).asText()).isEqualTo(value));
            assertThat(labels.path(jobLabel).asText()).as("up{job=~\"backuprelay.*\"} in the alerts").startsWith("backuprelay");
            assertThat(list(service.path("spec").path("ports"))).anyMatch(p -> p.path("name").asText()
                    .equals(endpoint.path("port").asText()));
        }
        JsonNode console = of(manifests, "Service", "console");
        assertThat(list(console.path("spec").path("ports"))).anyMatch(p -> p.path("port").asInt() == 8080);
        assertThat(env(of(manifests, "Deployment", "console")).get("CONSOLE_HOST")).isEqualTo("0.0.0.0");
    }

    /** The environment as the pod gets it, a valid value standing in for each secret. */
    private static Map<String, String> withSecretsFilledIn(Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        env.forEach((name, value) -> values.put(name, !value.startsWith("secret:") ? value : switch (name) {
            case "BACKUPRELAY_MASTER_KEY" -> SecretSealer.newBase64Key();
            case "CONSOLE_JWT_SECRET" -> "a-console-secret-of-at-least-32-characters";
            case "KAFKA_SASL_JAAS_CONFIG" -> "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"Zoë's \\\"backup\\\" user\" password=\"pässword\";";
            default -> "a-secret-value";
        }));
        return values;
    }
}
