package io.backuprelay.common.kafka;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries a handler again after an unexpected (transient) error, with growing delays, before its
 * input is dead-lettered. A {@link PoisonMessageException} is not retried. A
 * {@link ViewUnavailableException} (the broker is away) is retried without limit and never counts
 * as an attempt: the input is not at fault. An interrupt (the worker stops) ends the wait at once.
 */
public final class RetryingHandler<I> implements JobHandler<I> {

    /** How the handler waits between tries; tests pass one that does not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = duration -> Thread.sleep(duration); // the backoff itself; an interrupt ends it

        void sleep(Duration duration) throws InterruptedException;
    }

    private static final Logger log = LoggerFactory.getLogger(RetryingHandler.class);
    private static final Duration VIEW_RETRY = Duration.ofSeconds(5);

    private final JobHandler<I> handler;
    private final RetryPolicy policy;
    private final Sleeper sleeper;

    public RetryingHandler(JobHandler<I> handler, RetryPolicy policy, Sleeper sleeper) {
        this.handler = handler;
        this.policy = policy;
        this.sleeper = sleeper;
    }

    @Override
    public JobResult handle(I input, JobContext first) throws Exception {
        int attempt = 1;
        while (true) {
            JobContext context = new JobContext(first.topic(), first.partition(), first.offset(), first.key(), attempt,
                    attempt >= policy.maxAttempts());
            try {
                return handler.handle(input, context);
            } catch (PoisonMessageException | InterruptedException e) {
                throw e;
            } catch (ViewUnavailableException e) {
                checkNotInterrupted(e);
                log.warn("Job for {}-{}@{} waits for the broker: {}; trying again in {}", first.topic(),
                        first.partition(), first.offset(), e.getMessage(), VIEW_RETRY);
                sleeper.sleep(VIEW_RETRY);
            } catch (Exception e) {
                checkNotInterrupted(e);
                if (attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration delay = policy.delayBefore(attempt + 1);
                log.warn("Job for {}-{}@{} failed (attempt {}), retrying in {}: {}", first.topic(), first.partition(),
                        first.offset(), attempt, delay, e.toString());
                sleeper.sleep(delay);
                attempt++;
            }
        }
    }

    private static void checkNotInterrupted(Exception e) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            var stop = new InterruptedException("stopped while " + e);
            stop.initCause(e);
            throw stop;
        }
    }
}
