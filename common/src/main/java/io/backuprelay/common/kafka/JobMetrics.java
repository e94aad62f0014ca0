package io.backuprelay.common.kafka;

import io.backuprelay.common.concurrent.Timers;
import io.backuprelay.common.metrics.BackupMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * A job worker's meters: jobs in flight, committed and dead-lettered, job durations, the consumer's
 * own metrics (lag among them), and the backup meters of what each committed job produced.
 */
interface JobMetrics {

    JobMetrics NONE = new JobMetrics() {
        @Override
        public void jobEnded(long nanos) {
        }

        @Override
        public void committed(byte[] value) {
        }
    };

    void jobEnded(long nanos);

    /** A record a job produced, once committed. */
    void committed(byte[] value);

    static JobMetrics bind(JobWorker<?> worker, String name, Consumer<?, ?> consumer, MeterRegistry registry) {
        Gauge.builder("backuprelay.jobs.in.flight", worker, JobWorker::jobsInFlight).tag("worker", name).register(registry);
        FunctionCounter.builder("backuprelay.jobs.committed", worker, JobWorker::committedJobs)
                .tag("worker", name).register(registry);
        FunctionCounter.builder("backuprelay.jobs.dead.lettered", worker, JobWorker::deadLettered)
                .tag("worker", name).register(registry);
        FunctionCounter.builder("backuprelay.jobs.rebalances", worker, JobWorker::rebalances)
                .tag("worker", name).register(registry);
        Timer timer = Timer.builder("backuprelay.job.duration").tag("worker", name).register(registry);
        new KafkaClientMetrics(consumer, List.of(), Timers.clientMetrics()).bindTo(registry);
        BackupMeters backups = new BackupMeters(registry);
        return new JobMetrics() {
            @Override
            public void jobEnded(long nanos) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void committed(byte[] value) {
                backups.accept(value);
            }
        };
    }
}
