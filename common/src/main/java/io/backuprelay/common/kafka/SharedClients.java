package io.backuprelay.common.kafka;

import io.backuprelay.common.json.Json;
import java.io.Closeable;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Kafka clients that the services of one process share when several of them run in one JVM (the
 * standalone mode): one {@link CompactedTopicView} copy per cluster, topic and record type, read by
 * one consumer and one thread, and one {@link PlainProducer} per cluster and producer settings, for
 * ops events, events, heartbeats, sent-mail records and the console's writes. Without it, each
 * service kept its own copy of each topic, each with its own consumer and thread, and its own
 * producers, each with its own network thread.
 *
 * <p>Each shared client counts its users: it is made (and a view's copy started) by the first, and
 * closed when the last closes its handle, so a service stopped while the others run stops nothing
 * of theirs. Sharing is off unless the process turns it on ({@link #share}) before it starts its
 * services: a runnable jar runs one service, which would share with nobody, and its clients keep
 * their own names. Transactional producers are never shared: each job worker's fences its own
 * predecessor.
 *
 * <p>Sharing is safe because a copy is read only and every user of one key decodes the same way
 * (JSON as the key's record type), and because every plain producer of the project is made from
 * {@link KafkaSettings#producer} with no transactional id: the settings that tell them apart (the
 * cluster, the client properties such as credentials) are the key.
 */
public final class SharedClients {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
    private static final String PRODUCER_ID = "shared-producer";
    /** The client id of the key's settings: the same for every key, so that only what matters tells keys apart. */
    private static final String KEY_ID = "shared";

    /** One shared client, its client id, and how many handles hold it. */
    private static final class Held<C> {
        private final C client;
        private final String id;
        private int users;

        private Held(C client, String id) {
            this.client = client;
            this.id = id;
        }
    }

    /** Sharing turned on, until closed. */
    public interface Sharing extends Closeable {
        @Override
        void close();
    }

    private record ViewKey(Map<Object, Object> reader, String topic, Class<?> type) {
    }

    private static int sharers;
    private static final Map<ViewKey, Held<TopicCopy<?>>> VIEWS = new HashMap<>();
    private static final Map<Map<Object, Object>, Held<Producer<String, byte[]>>> PRODUCERS = new HashMap<>();
    /** The client ids of the shared clients: unique in the process, as the clients' metrics are registered by them. */
    private static final Set<String> IDS = new HashSet<>();

    private SharedClients() {
    }

    /**
     * Turns sharing on until the returned handle is closed: the views and producers asked for from then
     * on are shared. A shared client outlives the handle until its last user closes it.
     */
    public static synchronized Sharing share() {
        sharers++;
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                synchronized (SharedClients.class) {
                    sharers--;
                }
            }
        };
    }

    /** Whether the clients asked for now are shared. */
    public static synchronized boolean sharing() {
        return sharers > 0;
    }

    /**
     * A view of {@code topic}, its JSON records read as {@code type}, for one reader: named
     * {@code view-<name>} in health. When sharing, it presents the process's one copy of the topic (read by
     * the thread {@code view-<topic>}), started by the first of its views to start; otherwise a copy of its own.
     */
    public static <T> CompactedTopicView<T> view(KafkaSettings kafka, String name, String topic, Class<T> type) {
        Function<byte[], T> decoder = bytes -> Json.decode(bytes, type);
        synchronized (SharedClients.class) {
            if (sharers > 0) {
                ViewKey key = new ViewKey(Map.copyOf(kafka.reader(KEY_ID)), topic, type);
                Held<TopicCopy<?>> held = VIEWS.computeIfAbsent(key, k -> {
                    String id = uniqueId("view-" + topic);
                    return new Held<>(new TopicCopy<>(new KafkaConsumer<>(kafka.reader(id)), id, topic, decoder,
                            SYNC_TIMEOUT), id);
                });
                held.users++;
                @SuppressWarnings("unchecked") // the key's type is T, and its decoder reads T
                TopicCopy<T> copy = (TopicCopy<T>) held.client;
                return new CompactedTopicView<>("view-" + name, copy, () -> release(VIEWS, key, held, TopicCopy::close));
            }
        }
        return new CompactedTopicView<>(kafka, name, topic, decoder);
    }

    /**
     * A plain producer (idempotent, acknowledged by all replicas: {@link KafkaSettings#producer}): when
     * sharing, the process's one producer for the cluster and client properties of {@code kafka}, whose
     * client id is {@code shared-producer}; otherwise one of its own, whose client id is {@code clientId}.
     */
    public static PlainProducer producer(KafkaSettings kafka, String clientId) {
        synchronized (SharedClients.class) {
            if (sharers > 0) {
                Map<Object, Object> key = Map.copyOf(kafka.producer(KEY_ID, null));
                Held<Producer<String, byte[]>> held = PRODUCERS.computeIfAbsent(key, k -> {
                    String id = uniqueId(PRODUCER_ID);
                    return new Held<>(new KafkaProducer<>(kafka.producer(id, null)), id);
                });
                held.users++;
                return new PlainProducer(held.client, () -> release(PRODUCERS, key, held, Producer::close));
            }
        }
        Producer<String, byte[]> own = new KafkaProducer<>(kafka.producer(clientId, null));
        return new PlainProducer(own, own::close);
    }

    private static String uniqueId(String base) {
        String id = base;
        for (int n = 2; !IDS.add(id); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    /** One handle fewer: the last one closes the client, outside the lock (a view's close waits for its thread). */
    private static <K, C> void release(Map<K, Held<C>> clients, K key, Held<C> held, Consumer<C> close) {
        synchronized (SharedClients.class) {
            if (--held.users > 0) {
                return;
            }
            clients.remove(key);
        }
        try {
            close.accept(held.client);
        } finally {
            synchronized (SharedClients.class) {
                IDS.remove(held.id);
            }
        }
    }
}
