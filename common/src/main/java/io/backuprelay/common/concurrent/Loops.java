package io.backuprelay.common.concurrent;

/**
 * The thread of a long-lived loop that owns a Kafka client: a job worker's consumer and producer, a
 * compacted topic's follower. Such a loop spends nearly all of its time in {@code poll}, waiting on
 * the network. On JDK 25 (measured: twenty virtual threads blocked in {@code Selector.select} held no
 * platform thread of their own) and with JEP 491 (JDK 24: a virtual thread blocked inside the Kafka
 * client's {@code synchronized} blocks no longer holds its carrier), every loop runs on a virtual
 * thread: the standalone's loops then cost a few carriers instead of a platform thread each
 * (docs/benchmarks.md, "Footprint"). Earlier JDKs, not measured so, keep a platform thread per loop.
 */
public final class Loops {

    /** Whether loops run on virtual threads in this JVM. */
    public static final boolean VIRTUAL = Runtime.version().feature() >= 25;

    private Loops() {
    }

    /**
     * Starts {@code loop} on a thread named {@code name}.
     *
     * @param daemon on a platform thread, whether it lets the JVM end while it runs (a virtual thread always does)
     */
    public static Thread start(String name, boolean daemon, Runnable loop) {
        Thread.Builder builder = VIRTUAL ? Thread.ofVirtual() : Thread.ofPlatform().daemon(daemon);
        return builder.name(name).start(loop);
    }
}
