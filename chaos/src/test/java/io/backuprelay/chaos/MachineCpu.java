package io.backuprelay.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CPU time from /proc: the whole machine's, and each process's own plus its children's that have ended
 * (a dump worker's {@code pg_dump}, a database server's finished sessions).
 */
final class MachineCpu {

    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private MachineCpu() {
    }

    /** Seconds of CPU not idle and not waiting for I/O, summed over the cores, since boot. */
    static double busySeconds() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long busy = 0;
        // cpu user nice system idle iowait irq softirq steal ...
        for (int i = 1; i < Math.min(fields.length, 9); i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(fields[i]);
            }
        }
        return busy / TICKS_PER_SECOND;
    }

    /** The process's CPU seconds and its ended children's (utime, stime, cutime, cstime); 0 when it is gone. */
    static double withChildren(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17
            long ticks = 0;
            for (int field = 14; field <= 17; field++) {
                ticks += Long.parseLong(fields[field - 3]);
            }
            return ticks / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** The processes outside the services that share the machine: the database servers, the emulator, this JVM. */
    static Map<String, Double> others() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("PostgreSQL", oldest("postgres").map(MachineCpu::withChildren).orElse(0.0));
        cpu.put("MariaDB", oldest("mariadbd").map(MachineCpu::withChildren).orElse(0.0));
        cpu.put("Azurite", ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(line -> line.contains("azurite-blob")).orElse(false)).mapToDouble(p -> withChildren(p.pid())).sum());
        cpu.put("broker, mail server and by-hand tools (this JVM)", withChildren(ProcessHandle.current().pid()));
        return cpu;
    }

    /** The oldest process of this command: a server's main process, whose children are its sessions. */
    private static Optional<Long> oldest(String command) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals(command)).orElse(false))
                .filter(p -> p.parent().map(parent -> !parent.info().command().map(c -> c.endsWith(command)).orElse(false))
                        .orElse(true))
                .map(ProcessHandle::pid).min(Long::compare);
    }

    /** {@code after − before} for every key of {@code after}. */
    static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> used = new LinkedHashMap<>();
        after.forEach((key, value) -> used.put(key, value - before.getOrDefault(key, 0.0)));
        return used;
    }

    static String describe(Map<String, Double> used) {
        StringBuilder text = new StringBuilder();
        used.forEach((name, seconds) -> text.append(String.format("%s %.1f s, ", name, seconds)));
        return text.toString();
    }
}
