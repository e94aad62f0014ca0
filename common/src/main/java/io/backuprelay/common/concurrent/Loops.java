package io.backuprelay.common.concurrent;

/**
 * The thread of a long-lived loop that owns a Kafka client: a job worker's consumer and producer, a
 * compacted topic's follower. Such a loop spends nearly all of its time in {@code poll}, waiting on
 * the network. From JDK 25, a virtual thread waits there (in a {@code Selector}, and in
 * {@code synchronized}, JEP 491) without holding a platform thread, so every loop runs on one: the
 * standalone's dozens of loops then cost a few carriers instead of a platform thread each
 * (docs/benchmarks.md, "Footprint"). On JDK 21 to 24 a virtual thread blocked in the Kafka client's
 * {@code synchronized} blocks would hold its carrier, so there the loops keep platform threads.
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
