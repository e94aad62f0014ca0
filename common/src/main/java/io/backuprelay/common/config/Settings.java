package io.backuprelay.common.config;

import java.util.List;
import java.util.StringJoiner;

/** What a service reads, as logged at start: every declared setting, secrets masked. */
public final class Settings {

    private Settings() {
    }

    /** {@code NAME=value, …} for the settings given, with secrets masked and unset ones shown as their default. */
    public static String describe(ConfigSource source, List<Setting<?>> settings) {
        StringJoiner joined = new StringJoiner(", ");
        for (Setting<?> setting : settings) {
            if (!setting.name().endsWith("<PROPERTY>")) {
                joined.add(setting.name() + "=" + setting.describe(source));
            }
        }
        return joined.toString();
    }
}
