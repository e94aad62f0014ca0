package io.backuprelay.common.kafka;

import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * An in-memory copy of a compacted topic (accounts, settings, connections), read from the
 * beginning by a consumer of its own ({@link TopicFollower}) and kept current; in a process that
 * runs several services, one copy and one consumer per topic serve every service's view of it
 * ({@link SharedClients}). {@link #get} first
 * catches up with what was written before the call, so a worker always sees a connection
 * registered just before the request that names it. {@link #current} answers from memory without
 * asking the broker, and {@link #awaitPosition} waits only until one known record has been read:
 * the console's reads use these two, a round trip to the broker per read being far too slow for a
 * page that polls. An unreachable broker is waited out: the view never stops for it.
 */
public final class CompactedTopicView<V> implements Closeable, HealthCheck {

    /** Its name in health: its reader's ({@code view-<service>-<topic>}), also when it presents a shared copy. */
    private final String name;
    private final TopicCopy<V> copy;
    /** What its close does, once: stops its own copy, or lets go of a shared one ({@link SharedClients}). */
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A view with a copy and a consumer of its own, named {@code view-<clientId>}. */
    public CompactedTopicView(KafkaSettings kafka, String clientId, String topic, Function<byte[], V> decoder) {
        this(new TopicCopy<>(new KafkaConsumer<>(kafka.reader(clientId)), "view-" + clientId, topic, decoder,
                Duration.ofSeconds(30)), "view-" + clientId);
    }

    private CompactedTopicView(TopicCopy<V> own, String name) {
        this(name, own, own::close);
    }

    /**
     * @param name    its name in health
     * @param copy    what it reads from: started by {@link #start}, unless started already
     * @param release what {@link #close} does, once
     */
    CompactedTopicView(String name, TopicCopy<V> copy, Runnable release) {
        this.name = name;
        this.copy = copy;
        this.release = release;
    }

    /** Starts reading; a copy that another view started already goes on as it is. */
    public CompactedTopicView<V> start() {
        copy.start();
        return this;
    }

    /** The current value of the key, after catching up with everything written before this call. */
    public Optional<V> get(String key) {
        sync();
        return Optional.ofNullable(copy.values().get(key));
    }

    /** A snapshot of every key, after catching up. */
    public Map<String, V> snapshot() {
        sync();
        return Map.copyOf(copy.values());
    }

    /** The value of the key as this view has read it so far: no broker round trip. */
    public Optional<V> current(String key) {
        return Optional.ofNullable(copy.values().get(key));
    }

    /**
     * The values whose key starts with {@code prefix} (the records of one account: {@code accountId + "/"}), in key
     * order, as this view has read them so far: no broker round trip, and no copy of the other keys.
     */
    public List<V> currentWithPrefix(String prefix) {
        return List.copyOf(copy.values().subMap(prefix, true, prefix + Character.MAX_VALUE, true).values());
    }

    /** {@link #currentWithPrefix}, after catching up with everything written before this call. */
    public List<V> withPrefix(String prefix) {
        sync();
        return currentWithPrefix(prefix);
    }

    /** Every key as this view has read it so far: no broker round trip. */
    public Map<String, V> currentSnapshot() {
        return Map.copyOf(copy.values());
    }

    /**
     * Waits until the record at {@code offset} of {@code partition} has been read (a write's own
     * position, so that its writer reads it back), at most {@code timeout}.
     *
     * @return whether the view got there in time
     */
    public boolean awaitPosition(int partition, long offset, Duration timeout) {
        return copy.follower().awaitPosition(partition, offset, timeout);
    }

    /** Waits until the view reads its next record, at most {@code max} (see {@link TopicFollower#awaitNews}). */
    public void awaitNews(Duration max) throws InterruptedException {
        copy.follower().awaitNews(max);
    }

    /**
     * Waits until every record written to the topic before this call has been read.
     *
     * @throws ViewUnavailableException when that takes longer than the sync timeout (the broker is away)
     */
    public void sync() {
        copy.follower().sync();
    }

    /**
     * {@link #sync} of several views at once: each catch-up costs a round trip to the broker, and a job
     * that reads three views before it starts waits for one round trip rather than three.
     *
     * @throws ViewUnavailableException when one of them cannot catch up within its sync timeout
     */
    public static void syncAll(List<? extends CompactedTopicView<?>> views) {
        List<TopicFollower> followers = views.stream().map(CompactedTopicView::follower).toList();
        List<CompletableFuture<Void>> requests = followers.stream().map(TopicFollower::requestSync).toList();
        for (int i = 0; i < followers.size(); i++) {
            followers.get(i).awaitSync(requests.get(i));
        }
    }

    private TopicFollower follower() {
        return copy.follower();
    }

    /**
     * Alive while its thread reads; ready once it has caught up with the topic in the last few seconds. Named
     * after this view's reader, also when the copy is shared: each service lists the views it reads.
     */
    @Override
    public ComponentHealth health() {
        ComponentHealth health = copy.follower().health();
        return new ComponentHealth(name, health.live(), health.ready(), health.detail());
    }

    /** Stops the view; a shared copy stops with the last of its views ({@link SharedClients}). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }
}
