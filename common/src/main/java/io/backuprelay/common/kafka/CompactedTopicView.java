package io.backuprelay.common.kafka;

import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory copy of a compacted topic (accounts, settings, connections), read from the
 * beginning by a consumer of its own and kept current. {@link #get} first catches up with what
 * was written before the call, so a worker always sees a connection registered just before the
 * request that names it. {@link #current} answers from memory without asking the broker, and
 * {@link #awaitPosition} waits only until one known record has been read: the console's reads
 * use these two, a round trip to the broker per read being far too slow for a page that polls.
 * An unreachable broker is waited out: the view never stops for it.
 */
public final class CompactedTopicView<V> implements Runnable, Closeable, HealthCheck {

    private static final Logger log = LoggerFactory.getLogger(CompactedTopicView.class);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(3);
    private static final Duration STALE_AFTER = Duration.ofSeconds(15);

    private final String topic;
    private final Function<byte[], V> decoder;
    private final Consumer<String, byte[]> consumer;
    private final Map<String, V> values = new ConcurrentHashMap<>();
    /** Per partition, the offset after the last record read; guarded by itself for {@link #awaitPosition}. */
    private final Map<Integer, Long> positions = new HashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> syncRequests = new ConcurrentLinkedQueue<>();
    private final Duration syncTimeout;
    /** The component's name in health: its client id, unique in the process (several views may read one topic). */
    private final String name;
    private volatile boolean closing;
    private volatile long caughtUpNanos;
    private volatile String lastProblem;
    private volatile Throwable death;
    private Thread thread;

    public CompactedTopicView(KafkaSettings kafka, String clientId, String topic, Function<byte[], V> decoder) {
        this(new KafkaConsumer<>(kafka.reader(clientId)), "view-" + clientId, topic, decoder, Duration.ofSeconds(30));
    }

    CompactedTopicView(Consumer<String, byte[]> consumer, String name, String topic, Function<byte[], V> decoder,
                       Duration syncTimeout) {
        this.name = name;
        this.consumer = consumer;
        this.topic = topic;
        this.decoder = decoder;
        this.syncTimeout = syncTimeout;
    }

    public CompactedTopicView<V> start() {
        thread = Thread.ofPlatform().daemon().name("view-" + topic).start(this);
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
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (positions) {
            while (positions.getOrDefault(partition, 0L) <= offset) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || death != null) {
                    return false;
                }
                try {
                    positions.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Waits until every record written to the topic before this call has been read.
     *
     * @throws ViewUnavailableException when that takes longer than the sync timeout (the broker is away)
     */
    public void sync() {
        CompletableFuture<Void> request = new CompletableFuture<>();
        syncRequests.add(request);
        consumer.wakeup(); // answer now rather than after the current poll times out
        try {
            request.get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ViewUnavailableException("Interrupted while reading " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ViewUnavailableException("Could not catch up with " + topic + " within " + syncTimeout, e);
        }
    }

    /** Alive while its thread reads; ready once it has caught up with the topic in the last few seconds. */
    @Override
    public ComponentHealth health() {
        if (death != null) {
            return ComponentHealth.dead(name, "stopped: " + death);
        }
        long since = System.nanoTime() - caughtUpNanos;
        if (caughtUpNanos == 0 || since > STALE_AFTER.toNanos()) {
            return ComponentHealth.notReady(name, caughtUpNanos == 0 ? "loading" : "not caught up for "
                    + since / 1_000_000_000 + " s" + (lastProblem == null ? "" : ": " + lastProblem));
        }
        return ComponentHealth.up(name, values.size() + " keys");
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = waitForPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> targets = null;
            List<CompletableFuture<Void>> waiting = new ArrayList<>();
            long nextCheck = System.nanoTime();
            while (!closing) {
                try {
                    if (targets == null) {
                        // Requests taken now are answered once the end offsets read below are reached;
                        // later ones wait for the next round, with end offsets read after they came.
                        CompletableFuture<Void> request;
                        while ((request = syncRequests.poll()) != null) {
                            waiting.add(request);
                        }
                        if (!waiting.isEmpty() || System.nanoTime() - nextCheck > 0) {
                            targets = new HashMap<>(consumer.endOffsets(partitions, END_OFFSETS_TIMEOUT));
                        }
                    }
                    // A reader waiting for a sync is answered without a poll when nothing new was written.
                    if (targets == null || !caughtUp(targets)) {
                        applyAll(consumer.poll(Duration.ofMillis(100)));
                    }
                    if (targets != null && caughtUp(targets)) {
                        waiting.forEach(r -> r.complete(null));
                        waiting.clear();
                        targets = null;
                        caughtUpNanos = System.nanoTime();
                        nextCheck = caughtUpNanos + CHECK_EVERY.toNanos();
                        lastProblem = null;
                    }
                } catch (WakeupException e) {
                    if (closing) {
                        throw e;
                    }
                    // a reader asked to catch up: the next round takes its request
                } catch (KafkaException e) {
                    if (KafkaErrors.isFatal(e)) {
                        throw e;
                    }
                    // The broker is away or slow: readers wait (and time out by themselves); try again.
                    if (lastProblem == null) {
                        log.warn("View of {} cannot reach the broker: {}; retrying", topic, e.toString());
                    }
                    lastProblem = e.toString();
                    targets = null;
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                die(e);
            }
        } catch (RuntimeException | Error e) {
            die(e);
        } finally {
            consumer.close();
        }
    }

    private void die(Throwable e) {
        death = e;
        synchronized (positions) {
            positions.notifyAll();
        }
        log.error("View of {} stopped", topic, e);
        syncRequests.forEach(r -> r.completeExceptionally(e));
    }

    private List<TopicPartition> waitForPartitions() {
        while (!closing) {
            try {
                var infos = consumer.partitionsFor(topic, END_OFFSETS_TIMEOUT);
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                }
                consumer.poll(Duration.ofMillis(200)); // the topic may be created in a moment
            } catch (WakeupException e) {
                if (closing) {
                    throw e;
                }
            } catch (KafkaException e) {
                if (KafkaErrors.isFatal(e)) {
                    throw e;
                }
                lastProblem = e.toString();
            }
        }
        throw new WakeupException();
    }

    private boolean caughtUp(Map<TopicPartition, Long> targets) {
        for (var target : targets.entrySet()) {
            if (consumer.position(target.getKey()) < target.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void applyAll(Iterable<ConsumerRecord<String, byte[]>> records) {
        Map<Integer, Long> read = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            apply(record);
            read.put(record.partition(), record.offset() + 1);
        }
        if (!read.isEmpty()) {
            synchronized (positions) {
                positions.putAll(read);
                positions.notifyAll();
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            log.warn("Ignoring a record without key on {} at offset {}", topic, record.offset());
            return;
        }
        if (record.value() == null) {
            values.remove(record.key());
            return;
        }
        try {
            values.put(record.key(), decoder.apply(record.value()));
        } catch (RuntimeException e) {
            log.warn("Ignoring an unreadable record for key {} on {} at offset {}: {}", record.key(), topic,
                    record.offset(), e.getMessage());
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
