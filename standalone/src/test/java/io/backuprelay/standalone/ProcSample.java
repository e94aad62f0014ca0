package io.backuprelay.standalone;

import io.backuprelay.testkit.HeapMeter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A process's resident memory and threads as the kernel counts them ({@code /proc/PID/status}: {@code VmRSS},
 * {@code Threads}), read without attaching to the JVM (an attach starts a thread of its own).
 *
 * @param residentMb     at the end of the idle time
 * @param highestIdleMb  the highest of the samples taken each second meanwhile
 * @param threads        at the end of the idle time
 */
record ProcSample(long residentMb, long highestIdleMb, long threads) {

    /** Each process sampled every second for {@code seconds}, then once more. */
    static Map<String, ProcSample> idle(Map<String, Process> processes, int seconds) throws InterruptedException {
        Map<String, Long> highest = new LinkedHashMap<>();
        for (int second = 0; second < seconds; second++) {
            for (var entry : processes.entrySet()) {
                highest.merge(entry.getKey(), read(entry.getValue(), "VmRSS") / 1024, Math::max);
            }
            Thread.sleep(1000); // a benchmark's idle time, by definition a wait
        }
        Map<String, ProcSample> samples = new LinkedHashMap<>();
        for (var entry : processes.entrySet()) {
            long resident = read(entry.getValue(), "VmRSS") / 1024;
            samples.put(entry.getKey(), new ProcSample(resident, Math.max(resident, highest.getOrDefault(
                    entry.getKey(), 0L)), read(entry.getValue(), "Threads")));
        }
        return samples;
    }

    /** A row of the benchmark's table; a threads target of 0 means none. */
    String row(String name, long rssTargetMb, long threadsTarget) {
        boolean within = residentMb <= rssTargetMb && (threadsTarget == 0 || threads <= threadsTarget);
        return "| " + name + " | " + residentMb + " MB | " + highestIdleMb + " MB | " + threads + " | ≤ " + rssTargetMb
                + " MB" + (threadsTarget == 0 ? "" : ", ≤ " + threadsTarget + " threads") + (within ? " ✓" : " **missed**")
                + " |";
    }

    private static long read(Process process, String field) {
        long value = HeapMeter.status(Long.toString(process.pid()), field);
        if (!process.isAlive() || value < 0) {
            throw new IllegalStateException("process " + process.pid() + " ended while idle, or has no " + field
                    + " in /proc; see its log");
        }
        return value;
    }
}
