package io.backuprelay.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One setting, declared once: its variable, how its value is read and checked, its default, a line
 * of documentation, and whether its value is a secret (masked wherever it is logged). Every config
 * record is read through these declarations; {@code docs/configuration.md} is checked against them.
 *
 * @param name     the environment variable (for a family, its prefix followed by {@code <PROPERTY>})
 * @param defaults the default as the documentation says it ({@code none}, {@code required}, a value)
 * @param doc      one line: what it sets
 * @param isSecret whether its value is masked when logged
 * @param reader   how the value is read from a source, given the default to fall back on
 * @param fallback the default value ({@code null} when there is none)
 */
public record Setting<T>(String name, String defaults, String doc, boolean isSecret, Reader<T> reader, T fallback) {

    /** Reads and checks one variable, naming it in any error. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ConfigSource source, String name, T fallback);
    }

    /** The value, or the declared default. */
    public T read(ConfigSource source) {
        return reader.read(source, name, fallback);
    }

    /** The value, or {@code otherDefault} where the default depends on another setting. */
    public T read(ConfigSource source, T otherDefault) {
        return reader.read(source, name, otherDefault);
    }

    /**
     * The value, for a reader that cannot go on without one although the setting has a default or may be left
     * out elsewhere (the sample setup needs the console's secret; the console may use a JWKS URL instead).
     */
    public T require(ConfigSource source) {
        if (!isSet(source)) {
            throw new ConfigException(name, "is required but not set");
        }
        return read(source);
    }

    /** The value as given, when it is set and not blank. */
    public Optional<String> find(ConfigSource source) {
        return source.optional(name);
    }

    /** Whether the variable is set (not blank). */
    public boolean isSet(ConfigSource source) {
        return find(source).isPresent();
    }

    /** The same setting, its value masked when logged. */
    public Setting<T> masked() {
        return new Setting<>(name, defaults, doc, true, reader, fallback);
    }

    /** The same setting with the default the documentation states, where it is not the value itself. */
    public Setting<T> documentedDefault(String text) {
        return new Setting<>(name, text, doc, isSecret, reader, fallback);
    }

    /** The value as it may be logged: masked for a secret, {@code none} when unset. */
    public String describe(ConfigSource source) {
        Optional<String> raw = find(source);
        if (raw.isEmpty()) {
            return "default (" + defaults + ")";
        }
        return isSecret ? "***" : raw.get();
    }

    public static Setting<String> text(String name, String fallback, String doc) {
        return new Setting<>(name, fallback == null ? "none" : fallback, doc, false,
                (source, variable, value) -> source.string(variable, value), fallback);
    }

    public static Setting<String> required(String name, String doc) {
        return new Setting<>(name, "required", doc, false, (source, variable, value) -> value == null
                ? source.required(variable) : source.string(variable, value), null);
    }

    public static Setting<Integer> integer(String name, int fallback, int min, int max, String doc) {
        return new Setting<>(name, Integer.toString(fallback), doc, false,
                (source, variable, value) -> source.integer(variable, value, min, max), fallback);
    }

    public static Setting<Boolean> bool(String name, boolean fallback, String doc) {
        return new Setting<>(name, Boolean.toString(fallback), doc, false,
                (source, variable, value) -> source.bool(variable, value), fallback);
    }

    /** One of an enum's constants, written in lower case in the documentation and accepted in any case. */
    public static <E extends Enum<E>> Setting<E> choice(String name, E fallback, Class<E> type, String doc) {
        return new Setting<>(name, fallback.name().toLowerCase(Locale.ROOT), doc, false,
                (source, variable, value) -> source.choice(variable, value, type), fallback);
    }

    public static Setting<Duration> duration(String name, Duration fallback, String doc) {
        return new Setting<>(name, fallback.toString(), doc, false,
                (source, variable, value) -> source.duration(variable, value), fallback);
    }

    public static Setting<Path> path(String name, Path fallback, String doc) {
        return new Setting<>(name, fallback.toString(), doc, false,
                (source, variable, value) -> source.path(variable, value), fallback);
    }

    /**
     * A family of variables named by a prefix ({@code KAFKA_<PROPERTY>}): its value is every
     * variable that starts with the prefix.
     */
    public static Setting<Map<String, String>> family(String prefix, String doc) {
        return new Setting<>(prefix + "<PROPERTY>", "none", doc, false,
                (source, variable, value) -> source.startingWith(prefix), Map.of());
    }

    /** The prefix of a family, or the name itself. */
    public String prefix() {
        return name.endsWith("<PROPERTY>") ? name.substring(0, name.length() - "<PROPERTY>".length()) : name;
    }
}
