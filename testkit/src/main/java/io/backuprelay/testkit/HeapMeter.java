package io.backuprelay.testkit;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmarks report of memory: the JVM's heap, its peak since a reset, and the process's RSS. */
public final class HeapMeter {

    private HeapMeter() {
    }

    /** Collects garbage and forgets the peaks measured so far. */
    public static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The highest heap use since the last reset, all heap pools together. */
    public static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** The heap in use after a garbage collection. */
    public static long usedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The process's resident set, from /proc; -1 where there is none. */
    public static long rss() {
        long kb = status("self", "VmRSS");
        return kb < 0 ? -1 : kb * 1024;
    }

    /**
     * A number of {@code /proc/PROCESS/status} ({@code VmRSS} in kB, {@code Threads}, …) as the kernel counts it,
     * read without attaching to the JVM; -1 where there is none (not Linux, no such process or field).
     *
     * @param process a process id, or {@code self}
     */
    public static long status(String process, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", process, "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException ignored) {
            // not Linux, or the process has ended
        }
        return -1;
    }
}
