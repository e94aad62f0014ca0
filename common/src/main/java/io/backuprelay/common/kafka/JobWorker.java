package io.backuprelay.common.kafka;

import io.backuprelay.common.concurrent.Loops;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.FatalErrors;
import io.backuprelay.common.health.HealthCheck;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
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
 *   <li>Membership is static ({@code group.instance.id} from the instance id) and rebalancing
 *       cooperative, with {@link BusyPartitionsAssignor}: a partition whose job runs never moves, so
 *       an instance joining or leaving cancels nothing. A partition lost in an outage keeps its job
 *       if it comes back to this instance, and is committed only if the group has not committed past
 *       its record meanwhile ({@link JobCommits}).</li>
 *   <li>When a job ends, its output records and its input offset are committed in one Kafka
 *       transaction ({@link TransactionalCommitter}, with a {@code transactional.id} stable per
 *       instance, so a restart fences its predecessor); an outage only delays the commit.</li>
 *   <li>An input that cannot be decoded, or whose handler gives up, goes to the dead-letter topic
 *       (in the same transaction as its offset) with headers naming its source and the error.</li>
 *   <li>A fatal error (fenced, refused by the cluster, an {@link Error} in a job) stops the worker
 *       and is reported to {@link FatalErrors}, which ends the process.</li>
 *   <li>{@link #close()} stops taking jobs, lets running ones finish within the grace period, then
 *       cancels the rest (their handlers clean up) and exits without committing their offsets.</li>
 * </ul>
 *
 * <p>One thread owns the consumer and the producer; jobs run on virtual threads and hand their
 * results back to it.
 */
public final class JobWorker<I> implements Runnable, Closeable, HealthCheck {

    public enum State { NEW, RUNNING, DRAINING, STOPPED, FAILED }

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration FENCE_WINDOW = Duration.ofMinutes(5);

    private final JobWorkerConfig config;
    private final Function<byte[], I> decoder;
    private final JobHandler<I> handler;
    private final RunningJobs running;
    /** Replaced once when its own rejoin after an outage fences it (see {@link #rejoinAfterFence}). */
    private volatile Consumer<String, byte[]> consumer;
    private final Supplier<Consumer<String, byte[]>> consumers;
    private long lastFenceNanos;
    private boolean fencedBefore;
    private final TransactionalCommitter committer;
    private final JobRebalanceListener rebalancing;
    private final ExecutorService jobThreads;
    private final FatalErrors fatalErrors;

    private final JobCommits commits;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile JobMetrics metrics = JobMetrics.NONE;
    private volatile State state = State.NEW;
    private volatile Set<TopicPartition> assigned = Set.of();
    private volatile Throwable failure;

    public JobWorker(JobWorkerConfig config, KafkaSettings kafka, Function<byte[], I> decoder, JobHandler<I> handler) {
        this(config, kafka, decoder, handler, FatalErrors.LOG_ONLY);
    }

    public JobWorker(JobWorkerConfig config, KafkaSettings kafka, Function<byte[], I> decoder, JobHandler<I> handler,
                     FatalErrors fatalErrors) {
        this.config = config;
        this.decoder = decoder;
        this.handler = new RetryingHandler<>(handler, config.retry(), RetryingHandler.Sleeper.REAL);
        this.fatalErrors = fatalErrors;
        this.running = new RunningJobs(config.name());
        this.consumers = () -> new KafkaConsumer<>(JobClients.consumer(config, kafka, running::partitions));
        this.consumer = consumers.get();
        this.committer = new TransactionalCommitter(config.name(),
                () -> new KafkaProducer<>(JobClients.producer(config, kafka)));
        this.commits = new JobCommits(config.name(), running, committer, () -> consumer, () -> metrics);
        this.rebalancing = new JobRebalanceListener(config.name(), running, this::commitFinished,
                partitions -> assigned = partitions, () -> consumer.assignment());
        this.jobThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(config.name() + "-job-", 0).factory());
    }

    /** Publishes the worker's meters (see {@link JobMetrics}). */
    public JobWorker<I> withMetrics(MeterRegistry registry) {
        metrics = JobMetrics.bind(this, config.name(), consumer, registry);
        return this;
    }

    /** Runs the loop on a thread of its own, once: a second start, or one after {@link #run()}, is refused. */
    public JobWorker<I> start() {
        claimTheLoop();
        Loops.start(config.name() + "-loop", false, this::loop);
        return this;
    }

    /** Runs the loop on this thread (a service's main thread) until {@link #close()}; once, as {@link #start()}. */
    @Override
    public void run() {
        claimTheLoop();
        loop();
    }

    /** From here {@link #close()} waits for the loop; a worker that was started or closed is never started again. */
    private void claimTheLoop() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(config.name() + " was started or closed already: its loop runs once");
        }
    }

    private void loop() {
        state = State.RUNNING;
        try {
            consumer.subscribe(List.of(config.inputTopic()), rebalancing);
            log.info("{} consuming {} as group {}", config.name(), config.inputTopic(), config.groupId());
            while (!closing.get() && failure == null) {
                try {
                    pollOnce();
                } catch (FencedInstanceIdException e) {
                    rejoinAfterFence(e);
                }
            }
        } catch (WakeupException e) {
            if (!closing.get()) {
                fail(e);
            }
        } catch (RuntimeException e) {
            fail(e);
        }
        try {
            if (failure == null) {
                drain();
            } else {
                running.cancel(running.all());
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            jobThreads.shutdownNow();
            // A stop asked for leaves the group, so the others take the partitions at once; a failed
            // (fenced) instance stays, as a crashed one does, for its restart to take them back.
            closeQuietly(() -> consumer.close(CloseOptions.groupMembershipOperation(failure == null
                    ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                    : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP).withTimeout(Duration.ofSeconds(10))));
            closeQuietly(committer::close);
            state = failure == null ? State.STOPPED : State.FAILED;
            log.info("{} stopped ({})", config.name(), state);
            stopped.countDown();
        }
    }

    /** Asks the worker to stop as described in the class comment, and waits until it has. */
    @Override
    public void close() {
        closing.set(true);
        if (started.compareAndSet(false, true)) { // never started: nothing runs, only the clients to close
            jobThreads.shutdownNow();
            closeQuietly(() -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(10))));
            closeQuietly(committer::close);
            state = State.STOPPED;
            stopped.countDown();
            return;
        }
        consumer.wakeup();
        try {
            stopped.await(config.shutdownGrace().plus(RunningJobs.CLEANUP_TIMEOUT).plusSeconds(10).toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public State state() {
        return state;
    }

    /** How many times this instance lost or gave up partitions in a rebalance. */
    public long rebalances() {
        return rebalancing.rebalances.get();
    }

    /** How many jobs' results and offsets this instance committed. */
    public long committedJobs() {
        return commits.committedJobs.get();
    }

    /** Jobs run to the end but not committed: their partition came back with the group's offset past them. */
    public long supersededJobs() {
        return commits.superseded.get();
    }

    /** The partitions this instance holds now. */
    public Set<TopicPartition> assignedPartitions() {
        return assigned;
    }

    /** Jobs started and not yet committed. */
    public int jobsInFlight() {
        return running.size();
    }

    /** Alive unless failed or stopped; ready while consuming with no commit waiting out a failure. */
    @Override
    public ComponentHealth health() {
        String detail = state + ", " + running.size() + " job(s)";
        return switch (state) {
            case FAILED -> ComponentHealth.dead(config.name(), "failed: " + failure);
            case STOPPED -> ComponentHealth.dead(config.name(), "stopped");
            case NEW, DRAINING -> ComponentHealth.notReady(config.name(), detail);
            case RUNNING -> committer.backingOff()
                    ? ComponentHealth.notReady(config.name(), detail + ", a commit waits for the broker")
                    : ComponentHealth.up(config.name(), detail);
        };
    }

    long deadLettered() {
        return commits.deadLettered.get();
    }

    private void pollOnce() {
        committer.initialize();
        ConsumerRecords<String, byte[]> records = commits.poll(POLL_TIMEOUT, closing::get);
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> batch = records.records(partition);
            if (running.has(partition) || running.size() >= config.maxConcurrentJobs() || closing.get()) {
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

    /**
     * After a broker outage longer than the session, a static member's own rejoin can fence the
     * consumer it replaces (the broker took a join of this instance that the client gave up on).
     * The first fence is answered by rejoining with a fresh consumer, its running jobs kept as if
     * their partitions were lost; a second one within {@link #FENCE_WINDOW} means another live
     * instance has this id, and is fatal. A zombie's output is kept out by its producer, which the
     * successor's {@code initTransactions} fenced for good.
     */
    private void rejoinAfterFence(FencedInstanceIdException e) {
        long now = System.nanoTime();
        if (fencedBefore && now - lastFenceNanos < FENCE_WINDOW.toNanos()) {
            throw e;
        }
        fencedBefore = true;
        lastFenceNanos = now;
        log.warn("{} was fenced as group member ({}); rejoining once with a new consumer", config.name(), e.getMessage());
        running.all().forEach(job -> job.orphaned = true);
        assigned = Set.of();
        Consumer<String, byte[]> fenced = consumer;
        consumer = consumers.get();
        closeQuietly(() -> fenced.close(CloseOptions.groupMembershipOperation(
                CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP).withTimeout(Duration.ZERO)));
        consumer.subscribe(List.of(config.inputTopic()), rebalancing);
    }

    private void startJob(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        RunningJobs.Job job = running.start(partition, record);
        consumer.pause(List.of(partition));
        job.thread = jobThreads.submit(() -> runJob(job));
    }

    private void adjustPauses() {
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> paused = running.size() >= config.maxConcurrentJobs() || closing.get()
                ? assignment
                : running.partitions();
        consumer.pause(paused.stream().filter(assignment::contains).toList());
        consumer.resume(assignment.stream().filter(p -> !paused.contains(p)).toList());
    }

    // ---- on a job thread ----

    private void runJob(RunningJobs.Job job) {
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
            JobResult result = handler.handle(input,
                    new JobContext(record.topic(), record.partition(), record.offset(), record.key(), 1));
            commits.add(JobCommits.Finished.of(job, result));
        } catch (InterruptedException e) {
            log.info("{} job for {}@{} stopped before it ended", config.name(), job.partition, record.offset());
        } catch (Exception e) {
            if (job.cancelled || Thread.currentThread().isInterrupted()) {
                log.info("{} job for {}@{} stopped before it ended", config.name(), job.partition, record.offset());
            } else {
                log.error("{} job for {}@{} gave up, dead-lettering it", config.name(), job.partition, record.offset(), e);
                deadLetter(job, e);
            }
        } catch (Error e) {
            // The JVM may be out of memory or broken: nothing here can be trusted to go on.
            failure = e;
            consumer.wakeup();
            fatalErrors.fatal(config.name(), e);
        } finally {
            metrics.jobEnded(System.nanoTime() - started);
            job.done.countDown();
        }
    }

    private void deadLetter(RunningJobs.Job job, Exception error) {
        log.warn("{} sends {}@{} (key {}) to {}: {}", config.name(), job.partition, job.record.offset(),
                job.record.key(), config.deadLetterTopic(), error.getMessage());
        commits.add(new JobCommits.Finished(job, List.of(DeadLetters.of(config.deadLetterTopic(), job.record, error)),
                null, true));
    }

    // ---- on the loop thread ----

    /** Commits what finished (see {@link JobCommits}); a fatal error of the commit stops the worker. */
    private void commitFinished() {
        try {
            commits.commitFinished();
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void drain() {
        state = State.DRAINING;
        Instant deadline = Instant.now().plus(config.shutdownGrace());
        if (!running.isEmpty()) {
            log.info("{} stopping: waiting up to {} for {} running job(s)", config.name(), config.shutdownGrace(),
                    running.size());
        }
        while (!running.isEmpty() && Instant.now().isBefore(deadline) && failure == null) {
            adjustPauses();
            try {
                consumer.poll(POLL_TIMEOUT);
            } catch (WakeupException e) {
                // the wake-up that asked us to close; keep draining
            }
            commitFinished();
        }
        if (!running.isEmpty()) {
            log.warn("{} cancels {} job(s) still running after the grace period; their inputs stay uncommitted",
                    config.name(), running.size());
            running.all().forEach(committer::abandon);
            running.cancel(running.all());
        }
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e;
        }
        state = State.FAILED;
        fatalErrors.fatal(config.name(), e);
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            log.debug("close failed", e);
        }
    }
}
