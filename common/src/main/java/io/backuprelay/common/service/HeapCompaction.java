package io.backuprelay.common.service;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One full collection once a process is ready, for the standalone. Its start (the broker, a dozen Kafka clients, the
 * JIT's work) promotes tens of MB of short-lived objects into the old generation, which the serial collector keeps
 * committed until its first full collection, many minutes later at rest: the idle standalone held 91 MB of old
 * generation for 56 MB alive. Collected once after start, with {@code -XX:-ShrinkHeapInSteps} and
 * {@code MaxHeapFreeRatio=20} (deploy/jvm/standalone.options), the old generation shrinks to what is alive and a
 * quarter more, and the rest goes back to the system (docs/benchmarks.md, "Footprint"). Not for a service's jar,
 * whose start leaves little in the old generation: there it bought nothing (docs/benchmarks.md).
 */
public final class HeapCompaction {

    private static final Logger log = LoggerFactory.getLogger(HeapCompaction.class);

    /** How long after ready: the last of the start's work (rebalances, the first reads of the views) ends first. */
    static final Duration SETTLE = Duration.ofSeconds(10);
    /** A process not ready by then has other troubles, which its health reports. */
    static final Duration GIVE_UP = Duration.ofMinutes(5);
    private static final Duration LOOK_EVERY = Duration.ofMillis(500);

    private HeapCompaction() {
    }

    /** Collects once, {@link #SETTLE} after {@code ready} first holds, on a virtual thread of its own. */
    public static Thread afterReady(BooleanSupplier ready) {
        return afterReady(ready, SETTLE, System::gc);
    }

    static Thread afterReady(BooleanSupplier ready, Duration settle, Runnable collect) {
        return Thread.ofVirtual().name("heap-compaction").start(() -> {
            long deadline = System.nanoTime() + GIVE_UP.toNanos();
            try {
                while (!ready.getAsBoolean()) {
                    if (System.nanoTime() - deadline > 0) {
                        return;
                    }
                    Thread.sleep(LOOK_EVERY);
                }
                Thread.sleep(settle);
                long before = committedMb();
                collect.run();
                log.debug("Heap collected once ready: {} MB committed before, {} MB after", before, committedMb());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("The heap was not collected once ready: {}", e.toString());
            }
        });
    }

    private static long committedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20;
    }
}
