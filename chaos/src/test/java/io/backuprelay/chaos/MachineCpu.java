package io.backuprelay.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU time the whole machine has been busy (every process: the databases, the emulator, the tools), from /proc/stat. */
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
}
