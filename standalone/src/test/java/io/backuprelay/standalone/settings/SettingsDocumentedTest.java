package io.backuprelay.standalone.settings;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.config.Setting;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} against the declarations: a setting some module declares and the
 * table leaves out, or a variable the table documents and nobody declares, fails the build, named.
 */
class SettingsDocumentedTest {

    private static final String DOCS = "docs/configuration.md";

    @Test
    void everyDeclaredSettingIsDocumented() {
        Set<String> documented = ConfigurationTable.documented(Declarations.read(Declarations.root().resolve(DOCS)));
        Map<String, String> declared = Declarations.all();
        declared.forEach((name, declaredIn) -> assertThat(documented)
                .as(name + " (declared in " + declaredIn + ") is missing from " + DOCS).contains(name));
    }

    @Test
    void everySettingIsDeclaredOnce() {
        assertThat(Declarations.declaredTwice(Declarations.instances())).as("variables declared more than once").isEmpty();
    }

    @Test
    void aSecondDeclarationOfAVariableIsCaught() {
        Setting<String> first = Setting.text("SOME_VARIABLE", "a", "one meaning");
        Setting<String> second = Setting.text("SOME_VARIABLE", "b", "another meaning");
        Map<String, Map<Setting<?>, String>> instances = Map.of("SOME_VARIABLE",
                new IdentityHashMap<>(Map.of(first, "a.First", second, "b.Second")));
        assertThat(Declarations.declaredTwice(instances)).containsEntry("SOME_VARIABLE", List.of("a.First", "b.Second"));
        assertThat(Declarations.declaredTwice(Map.of("SOME_VARIABLE", new IdentityHashMap<>(Map.of(first, "a.First")))))
                .isEmpty();
    }

    @Test
    void everyDocumentedVariableIsDeclared() {
        Set<String> declared = Declarations.all().keySet();
        for (String name : ConfigurationTable.documented(Declarations.read(Declarations.root().resolve(DOCS)))) {
            assertThat(declared).as(name + " is documented in " + DOCS + " but no module declares it").contains(name);
        }
    }

    @Test
    void findsTheSettingsOfEveryModule() {
        assertThat(Declarations.all()).containsKeys("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_<PROPERTY>",
                "BACKUPRELAY_HEARTBEAT_INTERVAL", "SCHEDULER_TICK_INTERVAL", "DUMP_COMPRESSION", "UPLOAD_VERIFY",
                "SMTP_HOST", "NOTIFY_LINK_VALIDITY", "DRILL_POSTGRES_URL", "CONSOLE_PORT", "SAMPLE_STORAGE_KEY",
                "BACKUPRELAY_KAFKA_PORT", "RESTORE_DB_PASSWORD");
    }

    @Test
    void aTableLeavingOutADeclaredSettingIsCaught() {
        // The defect the check exists to find, planted: a table without BACKUPRELAY_HEARTBEAT_INTERVAL.
        String table = """
                | variable | default | meaning |
                |---|---|---|
                | `SERVICE_HOST`, `SERVICE_PORT` | `127.0.0.1`, 8081 | health |
                | `KAFKA_<PROPERTY>` | none | any client property; `KAFKA_SASL_MECHANISM`… |
                """;
        Set<String> documented = ConfigurationTable.documented(table);
        assertThat(documented).containsExactly("SERVICE_HOST", "SERVICE_PORT", "KAFKA_<PROPERTY>");
        Set<String> missing = new HashSet<>(Declarations.all().keySet());
        missing.removeAll(documented);
        assertThat(missing).contains("BACKUPRELAY_HEARTBEAT_INTERVAL");
    }
}
