package io.backuprelay.standalone.settings;

import io.backuprelay.common.config.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every {@link Setting} declared in any module's {@code src/main}, found by reading the sources
 * (a class with a {@code static final Setting<…>} field) and loading those classes, so that no
 * declaration escapes the checks by being left off a hand-written list.
 */
final class Declarations {

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

    private Declarations() {
    }

    /** The project's root: the folder of the reactor's pom. */
    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        while (here != null && !Files.exists(here.resolve("standalone").resolve("pom.xml"))) {
            here = here.getParent();
        }
        if (here == null) {
            throw new IllegalStateException("The project's root is not above " + Path.of("").toAbsolutePath());
        }
        return here;
    }

    /** Every Java file under a module's {@code src/main/java}. */
    static List<Path> mainSources() {
        try (Stream<Path> modules = Files.list(root())) {
            List<Path> sources = new ArrayList<>();
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).sorted().toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
                }
            }
            return sources;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every declared setting by its variable, with the class that declares it. */
    static Map<String, String> all() {
        Map<String, String> declared = new LinkedHashMap<>();
        instances().forEach((name, declarations) -> declared.put(name, declarations.values().iterator().next()));
        return declared;
    }

    /**
     * Each variable's declarations: the distinct {@link Setting} objects of that name, with the class holding each.
     * A class that lists another's setting (a service's {@code ALL}) holds the same object, not a second one.
     */
    static Map<String, Map<Setting<?>, String>> instances() {
        Map<String, Map<Setting<?>, String>> declared = new LinkedHashMap<>();
        for (Path source : mainSources()) {
            String text = read(source);
            if (!text.contains("static final Setting<")) {
                continue;
            }
            Matcher pkg = PACKAGE.matcher(text);
            if (!pkg.find()) {
                continue;
            }
            String name = pkg.group(1) + "." + source.getFileName().toString().replace(".java", "");
            for (Setting<?> setting : settingsOf(name)) {
                declared.computeIfAbsent(setting.name(), variable -> new IdentityHashMap<>()).putIfAbsent(setting, name);
            }
        }
        return declared;
    }

    /** The variables declared more than once, each with the classes that declare it. */
    static Map<String, List<String>> declaredTwice(Map<String, Map<Setting<?>, String>> instances) {
        Map<String, List<String>> twice = new LinkedHashMap<>();
        instances.forEach((name, declarations) -> {
            if (declarations.size() > 1) {
                twice.put(name, declarations.values().stream().sorted().toList());
            }
        });
        return twice;
    }

    private static List<Setting<?>> settingsOf(String className) {
        try {
            List<Setting<?>> settings = new ArrayList<>();
            for (Field field : Class.forName(className).getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == Setting.class) {
                    field.setAccessible(true);
                    settings.add((Setting<?>) field.get(null));
                }
            }
            return settings;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot read the settings of " + className, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
