package io.backuprelay.scheduler;

import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.kafka.KafkaErrors;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.metrics.BackupMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler service: the Kafka Streams application of {@link SchedulerTopology}. Instances
 * share the application id and split the accounts by partition; state lives in changelogged
 * stores, so a lost instance's accounts move to the others with nothing missed or doubled.
 */
public final class Scheduler implements Closeable, HealthCheck {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private final KafkaStreams streams;
    private final CountDownLatch running = new CountDownLatch(1);
    private volatile boolean closed;
    /** The backup meters of what the scheduler emits (requests, overdue reminders, timeouts); none until {@link #withMetrics}. */
    private volatile Consumer<byte[]> meters = bytes -> { };

    public Scheduler(KafkaSettings kafka, SchedulerConfig config, Clock clock) {
        this(kafka, config, clock, TickListener.NONE);
    }

    public Scheduler(KafkaSettings kafka, SchedulerConfig config, Clock clock, TickListener ticks) {
        int partitions = partitionsOf(kafka, kafka.topics().settings());
        // The budget is kept per partition; together they make the configured rate.
        int perTask = Math.max(1, (config.maxRequestsPerMinute() + partitions - 1) / partitions);
        Properties props = new Properties();
        KafkaSettings.quiet(props);
        props.putAll(kafka.clientOverrides());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, kafka.topics().prefix() + SchedulerConfig.APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // A malformed event is dead-lettered by the worker that owns its topic; here it is logged and skipped.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // Status changes and requests should be visible at once, not at the default 30 s cache flush: the
        // notifier waits for the status to say when the next backup is, so this interval is part of every
        // backup's time to its email. A task with nothing processed does not commit, so an idle scheduler
        // does not write more for it.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        // A tick that finds thousands due writes several records per account (request, ops event, status and the
        // stores' changelogs): larger batches mean fewer produce requests and fewer wake-ups of the sender thread.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        // Static membership: a restart within the session timeout keeps the instance's partitions, and a
        // stop removes it from the group at once (Kafka Streams leaves the group on close only as a static member).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.instanceId());
        // A crashed instance's accounts move to the others after this long.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 20_000);
        this.streams = new KafkaStreams(SchedulerTopology.build(kafka.topics(), config, clock, perTask, ticks,
                bytes -> meters.accept(bytes)), props);
        // A stream thread that dies of an unexpected error is replaced; the client goes on. Fatal
        // conditions (fenced, unauthorized) put the client in ERROR, which health reports as dead.
        streams.setUncaughtExceptionHandler(error -> {
            if (error instanceof Error || KafkaErrors.isFatal(error)
                    || error.getCause() != null && KafkaErrors.isFatal(error.getCause())) {
                log.error("Scheduler stream thread stopped on a fatal error", error);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            log.error("Scheduler stream thread failed; replacing it", error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) -> {
            if (newState == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        log.info("Scheduler {}: {} partitions, at most {} automatic requests a minute each, tick {}, in-flight timeout {}",
                config.instanceId(), partitions, perTask, config.tickInterval(), config.inFlightTimeout());
    }

    public Scheduler start() {
        streams.start();
        return this;
    }

    /** Waits until the instance has its partitions and has restored their state. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Dead once the Streams client has stopped on its own (ERROR, or NOT_RUNNING without a close); ready while RUNNING. */
    @Override
    public ComponentHealth health() {
        KafkaStreams.State state = streams.state();
        return switch (state) {
            case RUNNING -> ComponentHealth.up("scheduler", "RUNNING");
            case ERROR, PENDING_ERROR -> ComponentHealth.dead("scheduler", state.name());
            case NOT_RUNNING, PENDING_SHUTDOWN -> closed
                    ? ComponentHealth.notReady("scheduler", "stopping")
                    : ComponentHealth.dead("scheduler", state.name());
            default -> ComponentHealth.notReady("scheduler", state.name());
        };
    }

    /** Leaves the group on the way out, so the other instances take over its accounts at once. */
    /** Counts what the scheduler emits: automatic requests, overdue reminders and timeouts ({@code BackupMeters}). */
    public Scheduler withMetrics(MeterRegistry registry) {
        meters = new BackupMeters(registry);
        return this;
    }

    @Override
    public void close() {
        closed = true;
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
    }

    private static int partitionsOf(KafkaSettings kafka, String topic) {
        try (Admin admin = Admin.create(kafka.common("backuprelay-scheduler-setup"))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot describe topic " + topic + ": " + e.getCause().getMessage(), e);
        }
    }
}
