package io.backuprelay.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The faults' clocks and their tally: each fault runs on a clock of its own until the load is over,
 * and the run keeps what was injected, how long each recovery took, and when each fault was active.
 */
final class FaultSchedule {

    /** A fault that runs on its own clock until the load is over. */
    interface Fault {
        void inject(Random random) throws Exception;
    }

    private final long seed;
    private final List<String> findings;
    private final Map<String, Integer> injected = new ConcurrentHashMap<>();
    private final Map<String, List<Duration>> recoveries = new ConcurrentHashMap<>();
    /** Every fault injected, from start to end: restores and refusals are judged against them. */
    private final List<FaultWindow> windows = Collections.synchronizedList(new ArrayList<>());
    /** Counted down when the load is over: the faults stop at once, not after their next wait. */
    private final CountDownLatch loadEnded = new CountDownLatch(1);

    /** @param findings where a fault that fails reports it */
    FaultSchedule(long seed, List<String> findings) {
        this.seed = seed;
        this.findings = findings;
    }

    Thread every(String name, int everySeconds, Fault fault) {
        Random own = new Random(seed ^ name.hashCode());
        return Thread.ofPlatform().name("chaos-" + name).start(() -> {
            if (everySeconds <= 0) {
                return;
            }
            while (true) {
                try {
                    long wait = everySeconds * 1000L / 2 + own.nextInt(everySeconds * 1000);
                    if (loadEnded.await(wait, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    fault.inject(own);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    findings.add(name + ": " + e);
                    System.out.println("chaos: " + name + " failed: " + e);
                }
            }
        });
    }

    void count(String kind) {
        injected.merge(kind, 1, Integer::sum);
    }

    void recovered(String kind, Instant since) {
        recoveries.computeIfAbsent(kind, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(Duration.between(since, Instant.now()));
    }

    void window(FaultWindow window) {
        windows.add(window);
    }

    /** Where a fault of its own class reports. */
    FaultLog log() {
        return new FaultLog(this::count, this::recovered, windows::add);
    }

    /** Ends every fault's clock. */
    void endLoad() {
        loadEnded.countDown();
    }

    /** Counted down when the load is over. */
    CountDownLatch loadEnded() {
        return loadEnded;
    }

    List<FaultWindow> windows() {
        return List.copyOf(windows);
    }

    Map<String, Integer> injected() {
        return new TreeMap<>(injected);
    }

    Map<String, List<Duration>> recoveries() {
        return recoveries;
    }
}
