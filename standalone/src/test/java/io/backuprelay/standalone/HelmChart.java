package io.backuprelay.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.backuprelay.azurite.AzuriteProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

/**
 * The chart deploy/helm/backuprelay rendered as {@code helm template} does (Helm's own library,
 * through helm-java), and every manifest checked against the JSON Schema of its kind: the
 * Kubernetes API's (strict: an unknown field is an error) and the CRDs' of KEDA, Strimzi and the
 * Prometheus operator. Where each schema comes from: src/test/resources/kubernetes-schemas/SOURCES.md.
 */
final class HelmChart {

    static final String RELEASE = "prod";
    static final String NAMESPACE = "backups";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    private static final Map<String, Schema> LOADED = new ConcurrentHashMap<>();
    /** apiVersion/kind → the schema file under kubernetes-schemas/. */
    private static final Map<String, String> SCHEMA_FILES = Map.ofEntries(
            Map.entry("apps/v1/Deployment", "core/deployment-apps-v1.json"),
            Map.entry("v1/Service", "core/service-v1.json"),
            Map.entry("v1/ConfigMap", "core/configmap-v1.json"),
            Map.entry("v1/Secret", "core/secret-v1.json"),
            Map.entry("v1/PersistentVolumeClaim", "core/persistentvolumeclaim-v1.json"),
            Map.entry("policy/v1/PodDisruptionBudget", "core/poddisruptionbudget-policy-v1.json"),
            Map.entry("keda.sh/v1alpha1/ScaledObject", "crds/scaledobject-keda.sh-v1alpha1.json"),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaUser", "crds/kafkauser-kafka.strimzi.io-v1beta2.json"),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", "crds/kafkatopic-kafka.strimzi.io-v1beta2.json"),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", "crds/servicemonitor-monitoring.coreos.com-v1.json"),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", "crds/prometheusrule-monitoring.coreos.com-v1.json"));

    private HelmChart() {
    }

    static Path root() {
        return AzuriteProcess.home().getParent().getParent();
    }

    static Path chart() {
        return root().resolve("deploy/helm/backuprelay");
    }

    /** The manifests {@code helm template} makes of the chart with these values set (--set). */
    static List<JsonNode> render(Map<String, Object> values) throws Exception {
        return parse(template(values).call());
    }

    /** The command, for a test that expects it to fail. */
    static TemplateCommand template(Map<String, Object> values) {
        TemplateCommand command = new Helm(chart()).template().withName(RELEASE).withNamespace(NAMESPACE);
        values.forEach(command::set);
        return command;
    }

    static List<JsonNode> parse(String yaml) throws Exception {
        List<JsonNode> manifests = new ArrayList<>();
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document != null && document.isObject() && !document.isEmpty()) {
                    manifests.add(document);
                }
            }
        }
        return manifests;
    }

    static List<JsonNode> ofKind(List<JsonNode> manifests, String kind) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
    }

    /** The manifest of that kind for one service (its app.kubernetes.io/component label). */
    static JsonNode of(List<JsonNode> manifests, String kind, String service) {
        return ofKind(manifests, kind).stream()
                .filter(m -> m.path("metadata").path("labels").path("app.kubernetes.io/component").asText().equals(service))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " for " + service));
    }

    /** What the schema of the manifest's kind finds wrong with it; a kind without a schema is an error. */
    static List<String> violations(JsonNode manifest) {
        String type = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
        String file = SCHEMA_FILES.get(type);
        if (file == null) {
            return List.of(type + ": no schema to check it against");
        }
        Schema schema = LOADED.computeIfAbsent(file, HelmChart::load);
        return schema.validate(manifest).stream().map(Error::toString)
                .map(error -> type + " " + manifest.path("metadata").path("name").asText() + ": " + error).toList();
    }

    private static Schema load(String file) {
        try (InputStream in = HelmChart.class.getResourceAsStream("/kubernetes-schemas/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no schema " + file);
            }
            ObjectNode node = (ObjectNode) new ObjectMapper().readTree(in);
            // Some name the unversioned meta-schema (http://json-schema.org/schema#), which names no
            // dialect; all of them use draft-07's keywords only.
            node.remove("$schema");
            return SCHEMAS.getSchema(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The container of a Deployment. */
    static JsonNode container(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** A Deployment's environment: literal values, and for a secretKeyRef "secret:NAME/KEY". */
    static Map<String, String> env(JsonNode deployment) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode variable : container(deployment).path("env")) {
            JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
            env.put(variable.path("name").asText(), ref.isMissingNode() ? variable.path("value").asText()
                    : "secret:" + ref.path("name").asText() + "/" + ref.path("key").asText());
        }
        return env;
    }

    static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    static ObjectNode copy(JsonNode node) {
        return (ObjectNode) node.deepCopy();
    }
}
