package io.backuprelay.common.kafka;

import java.time.Duration;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link CompactedTopicView} reads and holds: the latest value per key of one topic, filled by
 * a {@link TopicFollower} of its own. Apart from the view so that several views may present one copy
 * ({@link SharedClients}): it holds nothing of any one reader's, and it is started once, by whichever
 * view starts first.
 */
final class TopicCopy<V> {

    private static final Logger log = LoggerFactory.getLogger(TopicCopy.class);

    private final String topic;
    private final Function<byte[], V> decoder;
    /** Sorted by key, so the records of one account ({@code accountId/…} keys) are one range. */
    private final ConcurrentSkipListMap<String, V> values = new ConcurrentSkipListMap<>();
    private final TopicFollower follower;
    private boolean started;
    private boolean closed;

    /** @param name its follower's name: its thread's, and in health unless a view names itself */
    TopicCopy(Consumer<String, byte[]> consumer, String name, String topic, Function<byte[], V> decoder,
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

    /** Starts reading, the first time only; a copy closed before (its last view gone) refuses to. */
    synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the copy of " + topic + " is closed: its last view let go of it");
        }
        if (!started) {
            started = true;
            follower.start();
        }
    }

    ConcurrentSkipListMap<String, V> values() {
        return values;
    }

    TopicFollower follower() {
        return follower;
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

    void close() {
        synchronized (this) {
            closed = true;
        }
        follower.close();
    }
}
