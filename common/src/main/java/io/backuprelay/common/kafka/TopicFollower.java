package io.backuprelay.common.kafka;

import io.backuprelay.common.concurrent.Loops;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic from the beginning, with a consumer of its own and no group, and hands every
 * record to a {@link Sink} that keeps what it needs in memory: the latest value per key for a
 * {@link CompactedTopicView}, the newest entries per account for a log. It answers {@link #sync}
 * (catch up with what was written before the call) and {@link #awaitPosition} (wait for one known
 * record), and says in its health whether it has caught up lately. An unreachable broker is
 * waited out: the follower never stops for it; a fatal error (unauthorized, an {@code Error}) makes
 * it dead.
 */
public final class TopicFollower implements Runnable, Closeable, HealthCheck {

    /** Where the records go, on the follower's own thread, in the order of each partition. */
    public interface Sink {

        /** One record; {@code value} is {@code null} for a tombstone and {@code key} may be {@code null}. */
        void accept(String key, byte[] value, long offset);

        /** A few words on what it holds, for the health body (e.g. "12 keys"). */
        String describe();
    }

    private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(3);
    private static final Duration STALE_AFTER = Duration.ofSeconds(15);

    private final String topic;
    private final Sink sink;
    private final Consumer<String, byte[]> consumer;
    /** Per partition, the offset after the last record read; guarded by itself for {@link #awaitPosition}. */
    private final Map<Integer, Long> positions = new HashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> syncRequests = new ConcurrentLinkedQueue<>();
    private final Duration syncTimeout;
    /** The component's name in health: unique in the process (several followers may read one topic). */
    private final String name;
    private volatile boolean closing;
    private volatile long caughtUpNanos;
    private volatile String lastProblem;
    private volatile Throwable death;
    private volatile Thread thread;

    /** @param name the component's name in health, also its consumer's client id's base */
    public TopicFollower(KafkaSettings kafka, String clientId, String name, String topic, Sink sink) {
        this(new KafkaConsumer<>(kafka.reader(clientId)), name, topic, sink, Duration.ofSeconds(30));
    }

    TopicFollower(Consumer<String, byte[]> consumer, String name, String topic, Sink sink, Duration syncTimeout) {
        this.name = name;
        this.consumer = consumer;
        this.topic = topic;
        this.sink = sink;
        this.syncTimeout = syncTimeout;
    }

    /** Starts reading; a follower closed before (its consumer closed with it) cannot start again. */
    public synchronized TopicFollower start() {
        if (closing) {
            throw new IllegalStateException(name + " is closed");
        }
        if (thread == null) {
            thread = Loops.start(name, true, this);
        }
        return this;
    }

    public String topic() {
        return topic;
    }

    /**
     * Waits until the record at {@code offset} of {@code partition} has been read (a write's own
     * position, so that its writer reads it back), at most {@code timeout}.
     *
     * @return whether the follower got there in time
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
     * Waits until the follower reads its next record, at most {@code max}: for a reader waiting on
     * another service's write, which need not ask the broker again and again. A record read just
     * before this call is not waited for, so a caller that checks and then waits bounds {@code max}.
     */
    public void awaitNews(Duration max) throws InterruptedException {
        synchronized (positions) {
            if (death == null) {
                positions.wait(Math.max(1, max.toMillis()));
            }
        }
    }

    /**
     * Waits until every record written to the topic before this call has been read.
     *
     * @throws ViewUnavailableException when that takes longer than the sync timeout (the broker is away)
     */
    public void sync() {
        awaitSync(requestSync());
    }

    /** Asks to catch up without waiting: several followers asked at once catch up together ({@link #awaitSync}). */
    CompletableFuture<Void> requestSync() {
        CompletableFuture<Void> request = new CompletableFuture<>();
        syncRequests.add(request);
        consumer.wakeup(); // answer now rather than after the current poll times out
        return request;
    }

    /**
     * Waits for a catch-up asked with {@link #requestSync}.
     *
     * @throws ViewUnavailableException when that takes longer than the sync timeout (the broker is away)
     */
    void awaitSync(CompletableFuture<Void> request) {
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
        return ComponentHealth.up(name, sink.describe());
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
                        log.warn("Reader of {} cannot reach the broker: {}; retrying", topic, e.toString());
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
        log.error("Reader of {} stopped", topic, e);
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
            sink.accept(record.key(), record.value(), record.offset());
            read.put(record.partition(), record.offset() + 1);
        }
        if (!read.isEmpty()) {
            synchronized (positions) {
                positions.putAll(read);
                positions.notifyAll();
            }
        }
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) { // not while start() is launching the thread
            if (closing) {
                return;
            }
            closing = true;
            running = thread;
        }
        consumer.wakeup();
        if (running == null) {
            consumer.close(); // never started: no thread closes it
        } else {
            try {
                running.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
