package io.backuprelay.upload;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.upload.azure.BlobUploader;
import java.io.Closeable;
import io.backuprelay.common.kafka.RetryingHandler;
import java.time.Clock;
import java.time.Duration;

/** The upload step: reads {@code backup.dumps}, writes {@code backup.outcomes}. */
public final class UploadWorker implements Closeable {

    private final CompactedTopicView<Connection> connections;
    private final CompactedTopicView<BackupSettings> settings;
    private final CompactedTopicView<BackupStatus> statuses;
    private final OpsPublisher ops;
    private final JobWorker<DumpReady> worker;
    private final UploadHandler handler;

    public UploadWorker(KafkaSettings kafka, UploadWorkerConfig config, SecretSealer sealer, Clock clock) {
        this.connections = new CompactedTopicView<>(kafka, "upload-worker-connections", kafka.topics().connections(),
                bytes -> Json.decode(bytes, Connection.class));
        this.settings = new CompactedTopicView<>(kafka, "upload-worker-settings", kafka.topics().settings(),
                bytes -> Json.decode(bytes, BackupSettings.class));
        this.statuses = new CompactedTopicView<>(kafka, "upload-worker-status", kafka.topics().status(),
                bytes -> Json.decode(bytes, BackupStatus.class));
        this.ops = OpsPublisher.kafka(kafka, "upload-worker-ops");
        this.handler = new UploadHandler(kafka.topics(), connections::get, settings::get, ops, sealer,
                new BlobUploader(config.blockParallelism()), config.stagingDir(), clock,
                new StorageRetry(config.retryBudget(), Duration.ofSeconds(5), RetryingHandler.Sleeper.REAL), config.verify())
                .withStatuses(statuses::get);
        this.worker = new JobWorker<>(new JobWorkerConfig("upload-worker",
                kafka.topics().prefix() + UploadWorkerConfig.GROUP_ID, kafka.topics().dumps(),
                kafka.topics().deadLetters(), config.concurrency(), config.shutdownGrace(), null),
                kafka, bytes -> Json.decode(bytes, DumpReady.class), handler);
    }

    public UploadWorker start() {
        connections.start();
        settings.start();
        statuses.start();
        worker.start();
        return this;
    }

    /** The loop and the views, for the health endpoints. */
    public java.util.List<io.backuprelay.common.service.HealthCheck> components() {
        return java.util.List.of(worker, connections, settings, statuses);
    }

    public JobWorker<DumpReady> jobs() {
        return worker;
    }

    /** The job meters, and {@code backuprelay.upload.retrying.seconds}: how long the longest-retrying upload has been at it. */
    public UploadWorker withMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        worker.withMetrics(registry);
        return withRetryGauge(registry);
    }

    /** Only the retry gauge, where the job meters are bound elsewhere. */
    public UploadWorker withRetryGauge(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.Gauge.builder("backuprelay.upload.retrying.seconds", handler,
                h -> h.longestRetry().toMillis() / 1000.0).register(registry);
        return this;
    }

    @Override
    public void close() {
        worker.close();
        ops.close();
        connections.close();
        settings.close();
        statuses.close();
    }
}
