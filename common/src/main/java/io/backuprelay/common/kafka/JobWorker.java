package io.backuprelay.common.kafka;

import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job per input record, for jobs that may take hours (a dump, an upload).
 *
 * <ul>
 *   <li>At most one job per partition at a time, so one account never has two backups running;
 *       the partition is paused while its job runs and the loop keeps polling, so the group never
 *       evicts this instance however long the job takes.</li>
 *   <li>When a job ends, its output records and its input offset are committed in one Kafka
 *       transaction: a crash either redoes the job or not at all.</li>
 *   <li>An input that cannot be decoded, or whose handler gives up, goes to the dead-letter topic
 *       (in the same transaction as its offset) with headers naming its source and the error; the
 *       worker goes on.</li>
 *   <li>{@link #close()} stops taking jobs, lets running ones finish within the grace period, then
 *       cancels the rest (their handlers clean up) and exits without committing their offsets.</li>
 * </ul>
 *
 * <p>One thread owns the consumer and the producer; jobs run on virtual threads and hand their
 * results back to it.
 */
public final class JobWorker<I> implements Runnable, Closeable {

    public enum State { NEW, RUNNING, DRAINING, STOPPED, FAILED }

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(30);

    private final JobWorkerConfig config;
    private final Function<byte[], I> decoder;
    private final JobHandler<I> handler;
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final ExecutorService jobThreads;

    /** Jobs by partition; touched by the loop thread only. */
    private final Map<TopicPartition, RunningJob> running = new HashMap<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong rebalances = new AtomicLong();
    private final AtomicLong committedJobs = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile io.micrometer.core.instrument.Timer jobTimer;
    private volatile java.util.function.Consumer<byte[]> committedValues = value -> { };
    private volatile State state = State.NEW;
    private volatile Throwable failure;

    public JobWorker(JobWorkerConfig config, KafkaSettings kafka, Function<byte[], I> decoder, JobHandler<I> handler) {
        this(config, decoder, handler,
                new KafkaConsumer<>(kafka.consumer(config.name(), config.groupId())),
                new KafkaProducer<>(kafka.producer(config.name(),
                        config.groupId() + "-" + UUID.randomUUID())));
    }

    JobWorker(JobWorkerConfig config, Function<byte[], I> decoder, JobHandler<I> handler,
              Consumer<String, byte[]> consumer, Producer<String, byte[]> producer) {
        this.config = config;
        this.decoder = decoder;
        this.handler = handler;
        this.consumer = consumer;
        this.producer = producer;
        this.jobThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(config.name() + "-job-", 0).factory());
    }

    /**
     * Publishes the worker's meters: jobs in flight, jobs committed and dead-lettered, job durations,
     * and the Kafka clients' own metrics (consumer lag among them).
     */
    public JobWorker<I> withMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.Gauge.builder("backuprelay.jobs.in.flight", running, Map::size)
                .tag("worker", config.name()).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("backuprelay.jobs.committed", committedJobs, AtomicLong::get)
                .tag("worker", config.name()).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("backuprelay.jobs.dead.lettered", deadLettered, AtomicLong::get)
                .tag("worker", config.name()).register(registry);
        jobTimer = io.micrometer.core.instrument.Timer.builder("backuprelay.job.duration").tag("worker", config.name())
                .register(registry);
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer).bindTo(registry);
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer).bindTo(registry);
        committedValues = new io.backuprelay.common.service.BackupMeters(registry);
        return this;
    }

    /** Runs the loop on a thread of its own. */
    public JobWorker<I> start() {
        Thread.ofPlatform().name(config.name() + "-loop").start(this);
        return this;
    }

    @Override
    public void run() {
        state = State.RUNNING;
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(config.inputTopic()), new Rebalancing());
            log.info("{} consuming {} as group {}", config.name(), config.inputTopic(), config.groupId());
            while (!closing.get()) {
                pollOnce();
            }
        } catch (WakeupException e) {
            if (!closing.get()) {
                fail(e);
            }
        } catch (RuntimeException e) {
            fail(e);
        }
        try {
            if (state != State.FAILED) {
                drain();
            } else {
                cancelAll(running.values());
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            jobThreads.shutdownNow();
            closeQuietly(consumer::close);
            closeQuietly(producer::close);
            if (state != State.FAILED) {
                state = State.STOPPED;
            }
            log.info("{} stopped ({})", config.name(), state);
            stopped.countDown();
        }
    }

    /** Asks the worker to stop as described in the class comment, and waits until it has. */
    @Override
    public void close() {
        closing.set(true);
        consumer.wakeup();
        try {
            stopped.await(config.shutdownGrace().plus(CLEANUP_TIMEOUT).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public State state() {
        return state;
    }

    /** Why the worker failed, when it did: fatal errors stop the worker rather than loop. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** How many times this instance lost partitions to a rebalance. */
    public long rebalances() {
        return rebalances.get();
    }

    /** How many jobs' results and offsets this instance committed. */
    public long committedJobs() {
        return committedJobs.get();
    }

    /** Whether the worker is consuming: for readiness. */
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void pollOnce() {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> batch = records.records(partition);
            if (running.containsKey(partition) || running.size() >= config.maxConcurrentJobs() || closing.get()) {
                consumer.seek(partition, batch.getFirst().offset());
                continue;
            }
            startJob(partition, batch.getFirst());
            if (batch.size() > 1) {
                // The rest is fetched again once this partition's job is committed.
                consumer.seek(partition, batch.get(1).offset());
            }
        }
        commitFinished();
        adjustPauses();
    }

    private void startJob(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        RunningJob job = new RunningJob(partition, record);
        running.put(partition, job);
        consumer.pause(List.of(partition));
        job.thread = jobThreads.submit(() -> runJob(job));
    }

    private void adjustPauses() {
        Set<TopicPartition> assigned = consumer.assignment();
        Set<TopicPartition> paused = running.size() >= config.maxConcurrentJobs() || closing.get()
                ? assigned
                : running.keySet();
        consumer.pause(paused.stream().filter(assigned::contains).toList());
        consumer.resume(assigned.stream().filter(p -> !paused.contains(p)).toList());
    }

    // ---- on a job thread ----

    private void runJob(RunningJob job) {
        ConsumerRecord<String, byte[]> record = job.record;
        long started = System.nanoTime();
        try {
            I input;
            try {
                input = decoder.apply(record.value());
            } catch (RuntimeException e) {
                deadLetter(job, e);
                return;
            }
            for (int attempt = 1; ; attempt++) {
                var context = new JobContext(record.topic(), record.partition(), record.offset(), record.key(), attempt,
                        attempt >= config.retry().maxAttempts());
                try {
                    JobResult result = handler.handle(input, context);
                    finished.add(new Finished(job, toRecords(result.outputs()), result.afterCommit()));
                    return;
                } catch (PoisonMessageException e) {
                    deadLetter(job, e);
                    return;
                } catch (Exception e) {
                    if (job.cancelled || Thread.currentThread().isInterrupted() || e instanceof InterruptedException) {
                        log.info("{} job for {}@{} stopped before it ended", config.name(), job.partition, record.offset());
                        return;
                    }
                    if (attempt >= config.retry().maxAttempts()) {
                        log.error("{} job for {}@{} failed {} times, dead-lettering it", config.name(),
                                job.partition, record.offset(), attempt, e);
                        deadLetter(job, e);
                        return;
                    }
                    Duration delay = config.retry().delayBefore(attempt + 1);
                    log.warn("{} job for {}@{} failed (attempt {}), retrying in {}: {}", config.name(),
                            job.partition, record.offset(), attempt, delay, e.toString());
                    Thread.sleep(delay); // the backoff; an interrupt (stop) ends it at once
                }
            }
        } catch (InterruptedException e) {
            log.info("{} job for {}@{} interrupted while waiting to retry", config.name(), job.partition, record.offset());
        } catch (RuntimeException | Error e) {
            log.error("{} job for {}@{} crashed", config.name(), job.partition, record.offset(), e);
        } finally {
            if (jobTimer != null) {
                jobTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            job.done.countDown();
        }
    }

    private void deadLetter(RunningJob job, Exception error) {
        deadLettered.incrementAndGet();
        log.warn("{} sends {}@{} (key {}) to {}: {}", config.name(), job.partition, job.record.offset(),
                job.record.key(), config.deadLetterTopic(), error.getMessage());
        finished.add(new Finished(job, List.of(DeadLetters.of(config.deadLetterTopic(), job.record, error)), () -> { }));
    }

    private static List<ProducerRecord<String, byte[]>> toRecords(List<Output> outputs) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(outputs.size());
        for (Output output : outputs) {
            records.add(new ProducerRecord<>(output.topic(), output.key(), output.value()));
        }
        return records;
    }

    // ---- on the loop thread ----

    private void commitFinished() {
        Finished done;
        while ((done = finished.poll()) != null) {
            RunningJob job = done.job;
            if (running.get(job.partition) != job) {
                continue; // its partition was revoked or it was cancelled: the next owner redoes it
            }
            running.remove(job.partition);
            commit(job, done);
        }
    }

    private void commit(RunningJob job, Finished done) {
        TopicPartition partition = job.partition;
        long offset = job.record.offset();
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> record : done.records) {
                producer.send(record);
            }
            producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(offset + 1)),
                    consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                 | UnsupportedVersionException e) {
            throw e; // fatal: another instance took over, or the cluster refuses us
        } catch (KafkaException e) {
            log.warn("{} could not commit the job for {}@{}, it will run again: {}", config.name(), partition, offset,
                    e.toString());
            producer.abortTransaction();
            if (consumer.assignment().contains(partition)) {
                consumer.seek(partition, offset);
            }
            return;
        }
        committedJobs.incrementAndGet();
        for (ProducerRecord<String, byte[]> record : done.records) {
            committedValues.accept(record.value());
        }
        try {
            done.afterCommit.run();
        } catch (RuntimeException e) {
            log.warn("{} after-commit step of {}@{} failed: {}", config.name(), partition, offset, e.toString());
        }
    }

    private void drain() {
        state = State.DRAINING;
        Instant deadline = Instant.now().plus(config.shutdownGrace());
        if (!running.isEmpty()) {
            log.info("{} stopping: waiting up to {} for {} running job(s)", config.name(), config.shutdownGrace(),
                    running.size());
        }
        while (!running.isEmpty() && Instant.now().isBefore(deadline)) {
            adjustPauses();
            try {
                consumer.poll(POLL_TIMEOUT);
            } catch (WakeupException e) {
                // the wake-up that asked us to close; keep draining
            }
            commitFinished();
        }
        commitFinished();
        if (!running.isEmpty()) {
            log.warn("{} cancels {} job(s) still running after the grace period; their inputs stay uncommitted",
                    config.name(), running.size());
            cancelAll(new ArrayList<>(running.values()));
        }
    }

    /** Interrupts the jobs, waits for them to clean up, and forgets them without committing. */
    private void cancelAll(Collection<RunningJob> jobs) {
        for (RunningJob job : jobs) {
            job.cancelled = true;
            if (job.thread != null) {
                job.thread.cancel(true);
            }
            running.remove(job.partition);
        }
        for (RunningJob job : jobs) {
            try {
                if (!job.done.await(CLEANUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("{} job for {} did not stop within {}", config.name(), job.partition, CLEANUP_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void fail(Throwable e) {
        failure = e;
        state = State.FAILED;
        log.error("{} stops on a fatal error", config.name(), e);
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            log.debug("close failed", e);
        }
    }

    private final class Rebalancing implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            rebalances.incrementAndGet();
            commitFinished();
            giveUp(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            rebalances.incrementAndGet();
            giveUp(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            log.info("{} assigned {}", config.name(), partitions);
        }

        private void giveUp(Collection<TopicPartition> partitions) {
            Set<TopicPartition> lost = new HashSet<>(partitions);
            List<RunningJob> jobs = running.values().stream().filter(job -> lost.contains(job.partition)).toList();
            if (!jobs.isEmpty()) {
                log.info("{} lost {} with running jobs; cancelling them for the next owner", config.name(), lost);
                cancelAll(jobs);
            }
        }
    }

    private static final class RunningJob {
        final TopicPartition partition;
        final ConsumerRecord<String, byte[]> record;
        final CountDownLatch done = new CountDownLatch(1);
        volatile java.util.concurrent.Future<?> thread;
        volatile boolean cancelled;

        RunningJob(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
            this.partition = partition;
            this.record = record;
        }
    }

    private record Finished(RunningJob job, List<ProducerRecord<String, byte[]>> records, Runnable afterCommit) {
    }
}
