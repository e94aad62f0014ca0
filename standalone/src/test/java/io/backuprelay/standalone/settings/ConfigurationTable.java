package io.backuprelay.standalone.settings;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The variables {@code docs/configuration.md}'s tables document: the names in their first column. */
final class ConfigurationTable {

    private static final Pattern NAME = Pattern.compile("`([A-Z][A-Z0-9_]*(?:<PROPERTY>)?)`");

    private ConfigurationTable() {
    }

    static Set<String> documented(String markdown) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : markdown.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("|---") || line.startsWith("| variable")) {
                continue;
            }
            String firstCell = line.substring(1, line.indexOf('|', 1));
            Matcher name = NAME.matcher(firstCell);
            while (name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }
}
