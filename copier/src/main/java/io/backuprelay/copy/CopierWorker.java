package io.backuprelay.copy;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.EventPublisher;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.kafka.RetryingHandler;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.view.AccountViews;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The copier: consumes {@code backup.outcomes} in its own consumer group and copies each completed backup to the
 * account's copy destinations, one copy job per partition at a time, {@code COPY_CONCURRENCY} at once per instance.
 * It scales on its own: a slow or unreachable copy destination holds copies back, never uploads.
 */
public final class CopierWorker implements Closeable {

    private final JobWorker<BackupEvent> worker;
    private final OpsPublisher ops;
    private final EventPublisher events;
    private final AccountViews views;

    public CopierWorker(KafkaSettings kafka, CopierConfig config, SecretSealer sealer, Clock clock) {
        this(kafka, config, sealer, clock, RetryingHandler.Sleeper.REAL);
    }

    CopierWorker(KafkaSettings kafka, CopierConfig config, SecretSealer sealer, Clock clock,
                 RetryingHandler.Sleeper sleeper) {
        this.views = new AccountViews(kafka, "copier");
        // The storage origins an operator granted each account: no other listed origin serves its connections.
        BlobAccess storage = new BlobAccess(config.endpoints().withGrantsFrom(views.accounts()));
        this.ops = OpsPublisher.kafka(kafka, "copier-ops");
        this.events = EventPublisher.kafka(kafka, "copier-events");
        ServiceOps serviceOps = new ServiceOps(ops, "copier", clock);
        var settings = views.settings();
        var connections = views.connections();
        var statuses = views.statuses();
        CopyHandler handler = new CopyHandler(
                new CopyHandler.Lookups(settings::get, connections::get, statuses::get),
                new CopyHandler.Outlets(kafka.topics(), events, serviceOps),
                new CopyOne(connection -> storage.store(connection, BlobCredential.of(connection, sealer)), serviceOps,
                        clock), config, sleeper, clock);
        // The handler retries a copy itself, for its budget; what is left (a view that is away) is retried here.
        this.worker = new JobWorker<>(new JobWorkerConfig("copier", kafka.topics().prefix() + CopierConfig.GROUP_ID,
                kafka.topics().outcomes(), kafka.topics().deadLetters(), config.concurrency(), Duration.ofSeconds(30),
                new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofMinutes(1))),
                kafka, bytes -> Json.decode(bytes, BackupEvent.class), handler);
    }

    public CopierWorker start() {
        views.start();
        worker.start();
        return this;
    }

    /** The loop and the views, for the health endpoints. */
    public List<HealthCheck> components() {
        List<HealthCheck> components = new ArrayList<>(views.components());
        components.add(0, worker);
        return components;
    }

    public JobWorker<BackupEvent> jobs() {
        return worker;
    }

    @Override
    public void close() {
        worker.close();
        events.close();
        ops.close();
        views.close();
    }
}
