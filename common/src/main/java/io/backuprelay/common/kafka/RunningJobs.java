package io.backuprelay.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's jobs by partition, from their start until their commit. Changed by the loop thread
 * only; read by others (metrics, the assignor's busy list).
 */
final class RunningJobs {

    private static final Logger log = LoggerFactory.getLogger(RunningJobs.class);
    static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Map<TopicPartition, Job> jobs = new ConcurrentHashMap<>();

    RunningJobs(String name) {
        this.name = name;
    }

    /** One job: its input record, its thread, and whether it was cancelled or its partition lost. */
    static final class Job {
        final TopicPartition partition;
        final ConsumerRecord<String, byte[]> record;
        final CountDownLatch done = new CountDownLatch(1);
        volatile Future<?> thread;
        volatile boolean cancelled;
        /** Its partition was lost in an outage and not (yet) given back. */
        volatile boolean orphaned;
        /** Its partition was lost and came back while it ran: its commit checks the group's offset first. */
        volatile boolean adopted;

        Job(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
            this.partition = partition;
            this.record = record;
        }
    }

    Job start(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        Job job = new Job(partition, record);
        jobs.put(partition, job);
        return job;
    }

    boolean has(TopicPartition partition) {
        return jobs.containsKey(partition);
    }

    /** Whether this job is still the one of its partition (not cancelled, not given up). */
    boolean current(Job job) {
        return jobs.get(job.partition) == job;
    }

    void committed(Job job) {
        jobs.remove(job.partition, job);
    }

    int size() {
        return jobs.size();
    }

    boolean isEmpty() {
        return jobs.isEmpty();
    }

    Set<TopicPartition> partitions() {
        return Set.copyOf(jobs.keySet());
    }

    List<Job> all() {
        return List.copyOf(jobs.values());
    }

    List<Job> on(Collection<TopicPartition> partitions) {
        return jobs.values().stream().filter(job -> partitions.contains(job.partition)).toList();
    }

    List<Job> orphans() {
        return jobs.values().stream().filter(job -> job.orphaned).toList();
    }

    /** Interrupts the jobs, waits for them to clean up, and forgets them without committing. */
    void cancel(Collection<Job> cancelled) {
        for (Job job : cancelled) {
            job.cancelled = true;
            if (job.thread != null) {
                job.thread.cancel(true);
            }
            jobs.remove(job.partition, job);
        }
        for (Job job : cancelled) {
            try {
                if (!job.done.await(CLEANUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("{} job for {} did not stop within {}", name, job.partition, CLEANUP_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
