package io.backuprelay.common.kafka;

import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a job's output records and its input offset in one transaction, and outlasts any outage:
 * a commit that times out is finished later (Kafka allows calling {@code commitTransaction} again);
 * any other failure aborts the transaction, or replaces the producer when it cannot, and the job's
 * output is committed on a later try. Only a fatal error ({@link KafkaErrors#isFatal}) is thrown:
 * with a stable {@code transactional.id}, being fenced means a newer instance took over.
 *
 * <p>Used by one thread, the worker's loop.
 */
final class TransactionalCommitter implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(TransactionalCommitter.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    private final String name;
    private final Supplier<Producer<String, byte[]>> factory;
    private Producer<String, byte[]> producer;
    private boolean initialized;
    /** The job whose transaction is begun but not yet committed, if any. */
    private Object open;
    private volatile long notBeforeNanos;
    private int failures;

    TransactionalCommitter(String name, Supplier<Producer<String, byte[]>> factory) {
        this.name = name;
        this.factory = factory;
        this.producer = factory.get();
    }

    /** Registers the transactional id (fencing any predecessor); false while the broker cannot be reached. */
    boolean initialize() {
        if (initialized) {
            return true;
        }
        if (System.nanoTime() < notBeforeNanos) {
            return false;
        }
        try {
            producer.initTransactions();
            initialized = true;
            failures = 0;
            return true;
        } catch (TimeoutException e) {
            backOff("registering the transactional id timed out", e);
            return false;
        } catch (KafkaException | IllegalStateException e) {
            if (KafkaErrors.isFatal(e)) {
                throw e;
            }
            backOff("registering the transactional id failed", e);
            replaceProducer();
            return false;
        }
    }

    /**
     * @param job identifies the job, so that a commit interrupted by a timeout is finished, not redone
     * @return whether the output and the offset are committed now; false means "try again later"
     */
    boolean commit(Object job, List<ProducerRecord<String, byte[]>> records, TopicPartition partition, long nextOffset,
                   ConsumerGroupMetadata group) {
        if (open != null && open != job) {
            abandon(open);
        }
        if (!initialize()) {
            return false;
        }
        if (System.nanoTime() < notBeforeNanos) {
            return false;
        }
        try {
            if (open == null) {
                producer.beginTransaction();
                open = job;
                for (ProducerRecord<String, byte[]> record : records) {
                    producer.send(record);
                }
                producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(nextOffset)), group);
            }
            producer.commitTransaction();
            open = null;
            failures = 0;
            return true;
        } catch (TimeoutException e) {
            backOff("the commit of " + partition + "@" + (nextOffset - 1) + " timed out; it is finished later", e);
            return false;
        } catch (KafkaException | IllegalStateException e) {
            // A fenced group membership is the consumer's to settle (JobWorker rejoins once, and a
            // second fence is fatal); here it only means this transaction carried a stale member id.
            if (KafkaErrors.isFatal(e) && !(e instanceof FencedInstanceIdException)) {
                throw e;
            }
            backOff("the commit of " + partition + "@" + (nextOffset - 1) + " failed; it is tried again", e);
            // Whatever state the failure left (a begun transaction, an abortable error), abort it.
            abortOrReplace();
            return false;
        }
    }

    /** Whether this job's transaction is begun and not yet committed (a commit that timed out, finished later). */
    boolean holds(Object job) {
        return open == job;
    }

    /** Forgets a job whose partition moved away: its transaction, if begun, is aborted. */
    void abandon(Object job) {
        if (open == job) {
            abortOpen();
        }
    }

    /** Whether a commit is waiting out a failure. */
    boolean backingOff() {
        return System.nanoTime() < notBeforeNanos;
    }

    private void abortOpen() {
        if (open != null) {
            abortOrReplace();
        }
    }

    private void abortOrReplace() {
        open = null;
        try {
            producer.abortTransaction();
        } catch (KafkaException | IllegalStateException e) {
            if (KafkaErrors.isFatal(e)) {
                throw e;
            }
            // The producer cannot abort (a timeout, or an error state): a new one with the same
            // transactional.id aborts the transaction when it registers.
            log.info("{}: the transaction could not be aborted ({}); replacing the producer", name, e.toString());
            replaceProducer();
        }
    }

    private void replaceProducer() {
        try {
            producer.close(Duration.ZERO);
        } catch (KafkaException e) {
            log.debug("closing the producer failed", e);
        }
        producer = factory.get();
        initialized = false;
        open = null;
    }

    private void backOff(String what, Exception e) {
        failures++;
        long millis = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(failures - 1, 10));
        notBeforeNanos = System.nanoTime() + millis * 1_000_000;
        log.warn("{}: {} ({}); next try in {} ms", name, what, e.toString(), millis);
    }

    @Override
    public void close() {
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (KafkaException e) {
            log.debug("closing the producer failed", e);
        }
    }
}
