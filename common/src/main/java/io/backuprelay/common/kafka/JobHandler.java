package io.backuprelay.common.kafka;

/**
 * The logic of one step: receives a decoded input and returns what to publish. It never sees a
 * Kafka type, so it can be tested without a broker.
 *
 * <p>A domain failure (the database is unreachable) is an ordinary result, e.g. a
 * {@code BackupFailed} output. Throwing {@link PoisonMessageException} sends the input to the
 * dead-letter topic at once; any other exception is retried with backoff, then dead-lettered.
 * The job's thread is interrupted when the worker stops before the job ends: the handler must then
 * clean up what it started (processes, partial files) and throw.
 */
@FunctionalInterface
public interface JobHandler<I> {

    JobResult handle(I input, JobContext context) throws Exception;
}
