package io.backuprelay.database;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a child process (pg_dump, mariadb-dump, pg_restore, mariadb) sees of this service's
 * environment: only what a tool needs to run, never the service's own settings, so the master key,
 * the SMTP password or a token cannot reach a tool or a tool's error output.
 */
public final class ChildEnvironment {

    /** The variables passed through, when set. */
    public static final List<String> PASSED = List.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "HOME");

    private ChildEnvironment() {
    }

    /** Replaces the builder's environment with the passed variables and {@code extra}. */
    public static ProcessBuilder apply(ProcessBuilder builder, Map<String, String> extra) {
        Map<String, String> environment = builder.environment();
        Map<String, String> kept = new HashMap<>();
        for (String name : PASSED) {
            String value = environment.get(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        environment.clear();
        environment.putAll(kept);
        environment.putAll(extra);
        return builder;
    }
}
