package io.backuprelay.testkit;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of this JVM's live threads, virtual ones included, as an operator's thread dump lists them
 * ({@code jcmd PID Thread.dump_to_file -format=json}). {@code Thread.getAllStackTraces()} leaves out virtual
 * threads, and from JDK 25 the services' loops and topic readers run on them.
 */
public final class LiveThreads {

    private static final Pattern NAME = Pattern.compile("\"name\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    private LiveThreads() {
    }

    public static List<String> names() {
        try {
            Path dir = Files.createTempDirectory("threads-");
            Path dump = dir.resolve("dump.json");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                Matcher names = NAME.matcher(Files.readString(dump));
                return names.results().map(match -> match.group(1).replace("\\\"", "\"").replace("\\\\", "\\"))
                        .toList();
            } finally {
                Files.deleteIfExists(dump);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("no thread dump: " + e.getMessage(), e);
        }
    }

    /** How many live threads bear exactly this name. */
    public static long named(String name) {
        return names().stream().filter(name::equals).count();
    }
}
