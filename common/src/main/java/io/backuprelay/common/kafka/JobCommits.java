package io.backuprelay.common.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit side of a {@link JobWorker}: jobs hand what they produced here from their threads, and
 * the loop thread commits it, job by job in the order they finished, each job's output records
 * with its input offset in one transaction.
 *
 * <p>A job adopted back (its partition was lost in an outage or a fence, and came back while it ran)
 * is committed only if the group's committed offset is not already past its record: meanwhile
 * another member may have run the same record and committed beyond it, and committing the job's
 * offset then would move the group backwards and make it run those records again. Such a job's
 * output is dropped, as the other member's committed output already stands for it.
 */
final class JobCommits {

    private static final Logger log = LoggerFactory.getLogger(JobCommits.class);
    /** How long the loop waits for the group's committed offset before trying again on a later round. */
    private static final Duration OFFSET_CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final RunningJobs running;
    private final TransactionalCommitter committer;
    private final Supplier<Consumer<String, byte[]>> consumer;
    private final Supplier<JobMetrics> metrics;
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    /** Finished jobs waiting for their commit, in the order they finished; loop thread only. */
    private final Deque<Finished> toCommit = new ArrayDeque<>();
    final AtomicLong committedJobs = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong superseded = new AtomicLong();

    /**
     * @param consumer the worker's consumer now (it is replaced after a fence)
     * @param metrics  the worker's meters now
     */
    JobCommits(String name, RunningJobs running, TransactionalCommitter committer,
               Supplier<Consumer<String, byte[]>> consumer, Supplier<JobMetrics> metrics) {
        this.name = name;
        this.running = running;
        this.committer = committer;
        this.consumer = consumer;
        this.metrics = metrics;
    }

    /**
     * What a job produced, handed over from its thread; the loop's poll is woken, so that the commit
     * (and the next step's start) does not wait for the poll to time out: a small backup passes three
     * such hops ({@link #poll}).
     */
    void add(Finished done) {
        finished.add(done);
        consumer.get().wakeup();
    }

    /** The consumer's poll, which a finished job ends early: it then returns nothing, unless the worker is closing. */
    ConsumerRecords<String, byte[]> poll(Duration timeout, BooleanSupplier closing) {
        try {
            return consumer.get().poll(timeout);
        } catch (WakeupException e) {
            if (closing.getAsBoolean()) {
                throw e;
            }
            return ConsumerRecords.empty();
        }
    }

    /**
     * Commits what finished, in order; what cannot be committed now is tried again on the next round.
     *
     * @throws RuntimeException a fatal error of the commit (fenced, refused)
     */
    void commitFinished() {
        finished.drainTo(toCommit);
        for (var iterator = toCommit.iterator(); iterator.hasNext(); ) {
            Finished done = iterator.next();
            RunningJobs.Job job = done.job();
            if (!running.current(job)) {
                committer.abandon(job); // its partition moved away: the next owner redoes it
                iterator.remove();
                continue;
            }
            if (job.orphaned) {
                continue; // lost in an outage: committed once the partition is ours again
            }
            if (job.adopted && !committer.holds(job)) {
                Long groupOffset = groupOffset(job);
                if (groupOffset == null) {
                    return; // the broker cannot tell yet; commits stay in order
                }
                job.adopted = false;
                if (groupOffset > job.record.offset()) {
                    iterator.remove();
                    dropSuperseded(job, groupOffset);
                    continue;
                }
            }
            if (!committer.commit(job, done.records(), job.partition, job.record.offset() + 1,
                    consumer.get().groupMetadata())) {
                return; // waiting out a failure; commits stay in order
            }
            iterator.remove();
            committed(done);
        }
    }

    /**
     * The group's committed offset of the job's partition, -1 when it has none; null when it cannot
     * be read now. While the job's own transaction is open its offset is pending, and no member could
     * have fetched and committed past it, so that case never asks (the read would wait on it).
     */
    private Long groupOffset(RunningJobs.Job job) {
        try {
            OffsetAndMetadata committed = consumer.get().committed(Set.of(job.partition), OFFSET_CHECK_TIMEOUT)
                    .get(job.partition);
            return committed == null ? -1L : committed.offset();
        } catch (WakeupException e) {
            return null; // a stop was asked for (the loop sees it), or a job finished: the next round asks again
        } catch (RetriableException e) { // a timeout among them
            log.info("{}: the committed offset of {} cannot be read yet ({}); the adopted job waits", name,
                    job.partition, e.toString());
            return null;
        }
    }

    private void dropSuperseded(RunningJobs.Job job, long groupOffset) {
        log.warn("{}: the job of {}@{} came back after its partition was lost, but the group has already committed"
                        + " up to offset {} (another member ran it); its output is dropped and the offset left as it is",
                name, job.partition, job.record.offset(), groupOffset);
        committer.abandon(job);
        running.committed(job);
        superseded.incrementAndGet();
        if (consumer.get().assignment().contains(job.partition)) {
            consumer.get().seek(job.partition, groupOffset);
        }
    }

    private void committed(Finished done) {
        RunningJobs.Job job = done.job();
        running.committed(job);
        // The next record is the one after the job's: a fetch made while the job ran (after the
        // partition came back in a rebalance) may have rewound the position to the job's own.
        if (consumer.get().assignment().contains(job.partition)) {
            consumer.get().seek(job.partition, job.record.offset() + 1);
        }
        committedJobs.incrementAndGet();
        if (done.deadLetter()) {
            deadLettered.incrementAndGet();
        }
        done.records().forEach(record -> metrics.get().committed(record.value()));
        try {
            done.afterCommit().run();
        } catch (RuntimeException e) {
            log.warn("{} after-commit step of {}@{} failed: {}", name, job.partition, job.record.offset(), e.toString());
        }
    }

    /** A job's result: its output records (or its dead letter), and what to do once they are committed. */
    record Finished(RunningJobs.Job job, List<ProducerRecord<String, byte[]>> records, Runnable afterCommit,
                    boolean deadLetter) {

        Finished {
            afterCommit = afterCommit == null ? () -> { } : afterCommit;
        }

        static Finished of(RunningJobs.Job job, JobResult result) {
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>(result.outputs().size());
            for (Output output : result.outputs()) {
                records.add(new ProducerRecord<>(output.topic(), output.key(), output.value()));
            }
            return new Finished(job, records, result.afterCommit(), false);
        }
    }
}
