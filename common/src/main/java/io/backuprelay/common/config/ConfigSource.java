package io.backuprelay.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The environment (or any map of variables), read once, at start, through the {@link Setting}s each
 * service declares: the typed look-ups are this package's, so no value is read but through a
 * declaration. Every error names the variable and what was wrong with its value.
 */
public final class ConfigSource {

    private final Map<String, String> values;
    private final Set<String> asked = ConcurrentHashMap.newKeySet();

    public ConfigSource(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Every variable a service has asked this source for: what it reads, for documentation and checks. */
    public Set<String> asked() {
        return Set.copyOf(asked);
    }

    public static ConfigSource fromEnvironment() {
        return new ConfigSource(System.getenv());
    }

    /** This source with some values replaced. */
    public ConfigSource with(Map<String, String> overrides) {
        var merged = new HashMap<>(values);
        merged.putAll(overrides);
        return new ConfigSource(merged);
    }

    /** Every variable whose name starts with {@code prefix}, for settings named by the variable itself. */
    Map<String, String> startingWith(String prefix) {
        Map<String, String> matching = new TreeMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                matching.put(name, value);
            }
        });
        return matching;
    }

    Optional<String> optional(String name) {
        asked.add(name);
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    String required(String name) {
        return optional(name).orElseThrow(() -> new ConfigException(name, "is required but not set"));
    }

    /** {@code true} or {@code false}, in any case; anything else names the variable. */
    boolean bool(String name, boolean defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(name, "must be true or false, is '" + raw.get() + "'");
        };
    }

    /** One of the constants of {@code type}, named in any case; anything else names the variable and the choices. */
    <E extends Enum<E>> E choice(String name, E defaultValue, Class<E> type) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(raw.get().trim())) {
                return constant;
            }
        }
        throw new ConfigException(name, "must be one of " + Arrays.stream(type.getEnumConstants())
                .map(constant -> constant.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                + ", is '" + raw.get() + "'");
    }

    int integer(String name, int defaultValue, int min, int max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw new ConfigException(name, "must be between " + min + " and " + max + ", is " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "must be a whole number, is '" + raw.get() + "'");
        }
    }

    /** An ISO-8601 duration such as {@code PT30S}, or a number of seconds. */
    Duration duration(String name, Duration defaultValue) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            String text = raw.get();
            Duration value = text.chars().allMatch(Character::isDigit)
                    ? Duration.ofSeconds(Long.parseLong(text))
                    : Duration.parse(text);
            if (value.isNegative()) {
                throw new ConfigException(name, "must not be negative, is " + text);
            }
            return value;
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new ConfigException(name, "must be a duration like PT30S or a number of seconds, is '" + raw.get() + "'");
        }
    }

    Path path(String name, Path defaultValue) {
        return optional(name).map(Path::of).orElse(defaultValue);
    }
}
