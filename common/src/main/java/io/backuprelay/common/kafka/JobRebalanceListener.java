package io.backuprelay.common.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job worker does when its partitions change (cooperative rebalancing, so only the
 * partitions that move are named): a partition given up has its job cancelled for the next owner;
 * a partition lost in an outage keeps its job until the rejoin says where it went.
 */
final class JobRebalanceListener implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(JobRebalanceListener.class);

    private final String name;
    private final RunningJobs running;
    private final Runnable commitFinished;
    private final Consumer<Set<TopicPartition>> assignedNow;
    private final Supplier<Set<TopicPartition>> assignment;
    final AtomicLong rebalances = new AtomicLong();

    /**
     * @param commitFinished commits what finished, before partitions are given up
     * @param assignedNow    told the partitions held after each change
     * @param assignment     the consumer's assignment
     */
    JobRebalanceListener(String name, RunningJobs running, Runnable commitFinished,
                         Consumer<Set<TopicPartition>> assignedNow, Supplier<Set<TopicPartition>> assignment) {
        this.name = name;
        this.running = running;
        this.commitFinished = commitFinished;
        this.assignedNow = assignedNow;
        this.assignment = assignment;
    }

    /** Only partitions that move to another member; a busy one never does unless its member was gone. */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        rebalances.incrementAndGet();
        commitFinished.run();
        assignedNow.accept(Set.copyOf(assignment.get().stream().filter(p -> !partitions.contains(p)).toList()));
        List<RunningJobs.Job> jobs = running.on(partitions);
        if (!jobs.isEmpty()) {
            log.info("{} gives up {}, whose jobs are cancelled for the next owner", name, partitions);
            running.cancel(jobs);
        }
    }

    /** The group went on without us (an outage longer than the session): keep the jobs until we know where their partitions go. */
    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        rebalances.incrementAndGet();
        assignedNow.accept(Set.of());
        List<RunningJobs.Job> jobs = running.on(partitions);
        jobs.forEach(job -> job.orphaned = true);
        if (!jobs.isEmpty()) {
            log.info("{} lost {} with {} running job(s); they go on if the partitions come back", name, partitions,
                    jobs.size());
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        log.info("{} assigned {}", name, partitions);
        assignedNow.accept(Set.copyOf(assignment.get()));
        List<RunningJobs.Job> gone = new ArrayList<>();
        for (RunningJobs.Job job : running.orphans()) {
            if (partitions.contains(job.partition)) {
                job.adopted = true;
                job.orphaned = false;
                log.info("{} got {} back; its running job goes on", name, job.partition);
            } else {
                gone.add(job);
            }
        }
        if (!gone.isEmpty()) {
            log.info("{} cancels {} job(s) whose partitions went elsewhere", name, gone.size());
            running.cancel(gone);
        }
    }
}
