package io.backuprelay.common.kafka;

import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory copy of a compacted topic (accounts, settings, connections), read from the
 * beginning by a consumer of its own ({@link TopicFollower}) and kept current. {@link #get} first
 * catches up with what was written before the call, so a worker always sees a connection
 * registered just before the request that names it. {@link #current} answers from memory without
 * asking the broker, and {@link #awaitPosition} waits only until one known record has been read:
 * the console's reads use these two, a round trip to the broker per read being far too slow for a
 * page that polls. An unreachable broker is waited out: the view never stops for it.
 */
public final class CompactedTopicView<V> implements Closeable, HealthCheck {

    private static final Logger log = LoggerFactory.getLogger(CompactedTopicView.class);

    private final String topic;
    private final Function<byte[], V> decoder;
    /** Sorted by key, so the records of one account ({@code accountId/…} keys) are one range. */
    private final ConcurrentSkipListMap<String, V> values = new ConcurrentSkipListMap<>();
    private final TopicFollower follower;

    public CompactedTopicView(KafkaSettings kafka, String clientId, String topic, Function<byte[], V> decoder) {
        this(new KafkaConsumer<>(kafka.reader(clientId)), "view-" + clientId, topic, decoder, Duration.ofSeconds(30));
    }

    CompactedTopicView(Consumer<String, byte[]> consumer, String name, String topic, Function<byte[], V> decoder,
                       Duration syncTimeout) {
        this.topic = topic;
        this.decoder = decoder;
        this.follower = new TopicFollower(consumer, name, topic, new TopicFollower.Sink() {
            @Override
            public void accept(String key, byte[] value, long offset) {
                apply(key, value, offset);
            }

            @Override
            public String describe() {
                return values.size() + " keys";
            }
        }, syncTimeout);
    }

    public CompactedTopicView<V> start() {
        follower.start();
        return this;
    }

    /** The current value of the key, after catching up with everything written before this call. */
    public Optional<V> get(String key) {
        sync();
        return Optional.ofNullable(values.get(key));
    }

    /** A snapshot of every key, after catching up. */
    public Map<String, V> snapshot() {
        sync();
        return Map.copyOf(values);
    }

    /** The value of the key as this view has read it so far: no broker round trip. */
    public Optional<V> current(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * The values whose key starts with {@code prefix} (the records of one account: {@code accountId + "/"}), in key
     * order, as this view has read them so far: no broker round trip, and no copy of the other keys.
     */
    public List<V> currentWithPrefix(String prefix) {
        return List.copyOf(values.subMap(prefix, true, prefix + Character.MAX_VALUE, true).values());
    }

    /** {@link #currentWithPrefix}, after catching up with everything written before this call. */
    public List<V> withPrefix(String prefix) {
        sync();
        return currentWithPrefix(prefix);
    }

    /** Every key as this view has read it so far: no broker round trip. */
    public Map<String, V> currentSnapshot() {
        return Map.copyOf(values);
    }

    /**
     * Waits until the record at {@code offset} of {@code partition} has been read (a write's own
     * position, so that its writer reads it back), at most {@code timeout}.
     *
     * @return whether the view got there in time
     */
    public boolean awaitPosition(int partition, long offset, Duration timeout) {
        return follower.awaitPosition(partition, offset, timeout);
    }

    /** Waits until the view reads its next record, at most {@code max} (see {@link TopicFollower#awaitNews}). */
    public void awaitNews(Duration max) throws InterruptedException {
        follower.awaitNews(max);
    }

    /**
     * Waits until every record written to the topic before this call has been read.
     *
     * @throws ViewUnavailableException when that takes longer than the sync timeout (the broker is away)
     */
    public void sync() {
        follower.sync();
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
        return follower;
    }

    /** Alive while its thread reads; ready once it has caught up with the topic in the last few seconds. */
    @Override
    public ComponentHealth health() {
        return follower.health();
    }

    private void apply(String key, byte[] value, long offset) {
        if (key == null) {
            log.warn("Ignoring a record without key on {} at offset {}", topic, offset);
            return;
        }
        if (value == null) {
            values.remove(key);
            return;
        }
        try {
            values.put(key, decoder.apply(value));
        } catch (RuntimeException e) {
            log.warn("Ignoring an unreadable record for key {} on {} at offset {}: {}", key, topic, offset,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
