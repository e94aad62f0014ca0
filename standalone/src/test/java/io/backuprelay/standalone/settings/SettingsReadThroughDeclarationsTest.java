package io.backuprelay.standalone.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No module reads a setting but through its declaration: no {@code System.getenv} outside
 * {@code ConfigSource}, no system property used as a setting, and no declared variable spelled as a
 * string anywhere but in its declaration. (The typed look-ups of {@code ConfigSource} are its
 * package's alone, so the compiler already refuses a read by name.) With
 * {@link SettingsDocumentedTest}, a setting read in the code and absent from the docs fails the build.
 */
class SettingsReadThroughDeclarationsTest {

    private static final Pattern ENVIRONMENT = Pattern.compile("System\\.getenv\\(([^)]*)\\)");
    private static final Pattern PROPERTY = Pattern.compile("System\\.getProperty\\(([^,)]*)");
    private static final Pattern LITERAL = Pattern.compile("\"([A-Z][A-Z0-9]*_[A-Z0-9_]+)\"");

    /** The one place the environment is read. */
    private static final String CONFIG_SOURCE = "common/src/main/java/io/backuprelay/common/config/ConfigSource.java";
    /** The JVM's own properties: none is a deployment's setting, and no setting (nor test hook) is read as one. */
    private static final Set<String> PROPERTIES = Set.of("\"java.io.tmpdir\"");
    /** Test support: the emulator's location for tests and the fault-injection harness, never a deployment's. */
    private static final Set<String> TEST_SUPPORT = Set.of("testkit", "azurite-process");
    /**
     * The fault-injection harness composes the environments of the processes it starts, as
     * docker-compose.yml does: it writes variables by name, and reads none.
     */
    private static final String HARNESS = "chaos";

    @Test
    void noModuleReadsTheEnvironmentButThroughADeclaration() {
        assertThat(violations(Declarations.mainSources(), Declarations.all())).isEmpty();
    }

    @Test
    void aReadByNameIsCaught() {
        // The defects the check exists to find, planted in a source of their own.
        String planted = """
                class Planted {
                    String a = System.getenv("BACKUPRELAY_NEW_THING");
                    String b = System.getProperty("backuprelay.newThing");
                    String c = map.get("SCHEDULER_TICK_INTERVAL");
                }
                """;
        List<String> found = violationsIn("planted/Planted.java", planted, Declarations.all());
        assertThat(found).hasSize(3).anyMatch(v -> v.contains("BACKUPRELAY_NEW_THING"))
                .anyMatch(v -> v.contains("backuprelay.newThing")).anyMatch(v -> v.contains("SCHEDULER_TICK_INTERVAL"));
    }

    private static List<String> violations(List<Path> sources, Map<String, String> declared) {
        Path root = Declarations.root();
        List<String> violations = new ArrayList<>();
        for (Path source : sources) {
            String relative = root.relativize(source).toString().replace('\\', '/');
            if (TEST_SUPPORT.contains(relative.substring(0, relative.indexOf('/')))) {
                continue;
            }
            violations.addAll(violationsIn(relative, Declarations.read(source),
                    relative.startsWith(HARNESS + "/") ? Map.of() : declared));
        }
        return violations;
    }

    private static List<String> violationsIn(String file, String text, Map<String, String> declared) {
        List<String> violations = new ArrayList<>();
        Matcher environment = ENVIRONMENT.matcher(text);
        while (environment.find()) {
            if (!(file.equals(CONFIG_SOURCE) && environment.group(1).isEmpty())) {
                violations.add(file + " reads the environment itself: " + environment.group());
            }
        }
        Matcher property = PROPERTY.matcher(text);
        while (property.find()) {
            if (!PROPERTIES.contains(property.group(1).strip())) {
                violations.add(file + " reads a system property as a setting: " + property.group());
            }
        }
        boolean declaring = text.contains("static final Setting<");
        Matcher literal = LITERAL.matcher(text);
        while (literal.find()) {
            if (declared.containsKey(literal.group(1)) && !declaring) {
                violations.add(file + " spells " + literal.group(1) + " instead of reading it through its declaration"
                        + " (" + declared.get(literal.group(1)) + ")");
            }
        }
        return violations;
    }
}
