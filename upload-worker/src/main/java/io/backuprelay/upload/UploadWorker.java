package io.backuprelay.upload;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.PoisonMessageException;
import io.backuprelay.common.kafka.RetryingHandler;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.blob.block.BlobUploader;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.view.AccountViews;
import io.backuprelay.upload.afterstore.AfterStore;
import io.backuprelay.upload.store.StoreArchive;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The upload step: reads {@code backup.dumps}, writes {@code backup.outcomes}. */
public final class UploadWorker implements Closeable {

    private final CompactedTopicView<Connection> connections;
    private final CompactedTopicView<BackupSettings> settings;
    private final CompactedTopicView<BackupStatus> statuses;
    private final AccountViews views;
    private final OpsPublisher ops;
    private final JobWorker<BackupEvent> worker;
    private final StoreArchive store;
    private final UploadHandler handler;

    public UploadWorker(KafkaSettings kafka, UploadWorkerConfig config, SecretSealer sealer, Clock clock) {
        this.views = new AccountViews(kafka, "upload-worker");
        this.connections = views.connections();
        this.settings = views.settings();
        this.statuses = views.statuses();
        // The storage origins an operator granted each account: no other listed origin serves its connections.
        BlobAccess access = new BlobAccess(config.endpoints().withGrantsFrom(views.accounts()));
        this.ops = OpsPublisher.kafka(kafka, "upload-worker-ops");
        BlobUploader uploader = new BlobUploader(access, config.blockParallelism(), config.checksum());
        ServiceOps events = new ServiceOps(ops, "upload-worker", clock);
        this.store = new StoreArchive(connections::get, sealer, uploader, events);
        if (config.verify() == UploadHandler.Verification.READBACK) {
            store.withReadBack();
        }
        if (config.overlapping()) {
            store.withOverlap(config.concurrency(), config.overlapIdle());
        }
        this.handler = new UploadHandler(kafka.topics(), config.stagingDir(), store,
                new AfterStore(uploader, settings::get, events, clock),
                new StorageRetry(config.retryBudget(), Duration.ofSeconds(5), RetryingHandler.Sleeper.REAL), events, clock)
                .withStatuses(statuses::get);
        this.worker = new JobWorker<>(new JobWorkerConfig("upload-worker",
                kafka.topics().prefix() + UploadWorkerConfig.GROUP_ID, kafka.topics().dumps(),
                kafka.topics().deadLetters(), config.concurrency(), config.shutdownGrace(), null),
                kafka, bytes -> Json.decode(bytes, BackupEvent.class), this::dispatch);
    }

    /** {@code backup.dumps} carries the announcement of each dump and its archive when ready. */
    private JobResult dispatch(BackupEvent event, JobContext context) throws InterruptedException {
        return switch (event) {
            case DumpReady ready -> handler.handle(ready, context);
            case DumpStarted started -> handler.started(started);
            default -> throw new PoisonMessageException("A " + event.getClass().getSimpleName()
                    + " has no place on backup.dumps, which carries dump.started and dump.ready");
        };
    }

    public UploadWorker start() {
        views.start();
        worker.start();
        return this;
    }

    /** The loop and the views, for the health endpoints. */
    public List<HealthCheck> components() {
        List<HealthCheck> components = new ArrayList<>(views.components());
        components.addFirst(worker);
        return components;
    }

    public JobWorker<BackupEvent> jobs() {
        return worker;
    }

    /** The job meters, and {@code backuprelay.upload.retrying.seconds}: how long the longest-retrying upload has been at it. */
    public UploadWorker withMetrics(MeterRegistry registry) {
        worker.withMetrics(registry);
        return withRetryGauge(registry);
    }

    /** Only the retry gauge, where the job meters are bound elsewhere. */
    public UploadWorker withRetryGauge(MeterRegistry registry) {
        Gauge.builder("backuprelay.upload.retrying.seconds", handler,
                h -> h.longestRetry().toMillis() / 1000.0).register(registry);
        return this;
    }

    @Override
    public void close() {
        worker.close(); // running uploads may still take what their followers sent
        store.stopFollowing();
        ops.close();
        views.close();
    }
}
