package io.backuprelay.notify;

import io.backuprelay.blob.BlobAccess;
import io.backuprelay.common.concurrent.Timers;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.PlainProducer;
import io.backuprelay.common.kafka.SharedClients;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.view.AccountViews;
import io.backuprelay.notify.channel.ChannelWorker;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.notify.mail.OutboxMailSender;
import io.backuprelay.notify.mail.SmtpMailSender;
import io.backuprelay.notify.sent.SentLog;
import io.backuprelay.notify.sent.SentNotification;
import io.backuprelay.notify.sent.SentRecords;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The notifier step: reads {@code backup.outcomes}, sends mail, writes {@code backup.notifications}. */
public final class NotifierWorker implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(NotifierWorker.class);
    /** How often records past the horizon are forgotten. */
    private static final Duration EXPIRE_EVERY = Duration.ofHours(1);
    /** How long an immediate write to {@code backup.notifications} may wait for the broker. */
    private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(30);

    private final AccountViews views;
    private final OpsPublisher ops;
    private final PlainProducer records;
    private final SentRecords sentRecords;
    private final CompactedTopicView<SentNotification> sent;
    private final ScheduledExecutorService expiry = Timers.single("notifier-sent-expiry");
    private final JobWorker<BackupEvent> worker;
    private final ChannelWorker channels;

    public NotifierWorker(KafkaSettings kafka, MailSettings mail, NotifierConfig config, SecretSealer sealer, Clock clock) {
        this(kafka, mail.host().isPresent()
                ? new SmtpMailSender(mail)
                : new OutboxMailSender(mail.outboxDir(), mail.from()), config, sealer, clock);
    }

    public NotifierWorker(KafkaSettings kafka, MailSender sender, NotifierConfig config, SecretSealer sealer, Clock clock) {
        this.views = new AccountViews(kafka, "notifier");
        var accounts = views.accounts();
        var settings = views.settings();
        var connections = views.connections();
        var sent = views.view("sent", kafka.topics().notifications(), SentNotification.class);
        var statuses = views.statuses();
        this.ops = OpsPublisher.kafka(kafka, "notifier-ops");
        this.sent = sent;
        this.records = SharedClients.producer(kafka, "notifier-sent");
        this.sentRecords = new SentRecords(sent::get, sentLog(records, kafka.topics().notifications()),
                config.sentHorizon(), clock);
        var lookups = new NotifyHandler.Lookups(accounts::current, settings::current, connections::current,
                statuses::current, statuses::awaitNews,
                () -> CompactedTopicView.syncAll(List.of(accounts, settings, connections, statuses)));
        NotifyHandler handler = new NotifyHandler(kafka.topics(), lookups, sentRecords,
                new NotifyHandler.Mail(new EmailComposer(), sender),
                new NotifyHandler.Links(sealer, config.linkValidity()), ops, clock)
                // The storage origins an operator granted each account: no other listed origin serves its connections.
                .withStorage(new BlobAccess(config.endpoints().withGrantsFrom(accounts)));
        this.worker = new JobWorker<>(new JobWorkerConfig("notifier", kafka.topics().prefix() + NotifierConfig.GROUP_ID,
                kafka.topics().outcomes(), kafka.topics().deadLetters(), 4, Duration.ofSeconds(10), config.retry()),
                kafka, bytes -> Json.decode(bytes, BackupEvent.class), handler);
        // Webhooks, Slack, Teams and heartbeats: groups of their own, so an endpoint that is down never holds emails back.
        this.channels = new ChannelWorker(kafka, views, accounts, config.endpoints(),
                new ChannelWorker.Services(config.channels(), sealer, ops, clock, new ChannelFailureNotice(lookups,
                        sentRecords, sender, new ServiceOps(ops, "notifier", clock), clock)));
    }

    public NotifierWorker start() {
        views.start();
        worker.start();
        channels.start();
        expiry.scheduleWithFixedDelay(this::forgetExpired, 1, EXPIRE_EVERY.toMinutes(), TimeUnit.MINUTES);
        return this;
    }

    /** Forgets the records past the horizon, once the view has read them all. */
    private void forgetExpired() {
        try {
            sentRecords.forgetExpired(sent.snapshot());
        } catch (RuntimeException e) {
            log.warn("Could not forget the sent-mail records past the horizon this time: {}", e.toString());
        }
    }

    private static SentLog sentLog(PlainProducer producer, String topic) {
        return new SentLog() {
            @Override
            public void record(String key, SentNotification record) throws Exception {
                producer.send(new ProducerRecord<>(topic, key, Json.encode(record)))
                        .get(RECORD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void forget(String key) {
                producer.send(new ProducerRecord<>(topic, key, null), (metadata, error) -> {
                    if (error != null) {
                        log.debug("Tombstone of {} not written: {}; the next round writes it", key, error.toString());
                    }
                });
            }
        };
    }

    /** The loop and the views, for the health endpoints. */
    public List<HealthCheck> components() {
        List<HealthCheck> components = new ArrayList<>(views.components());
        components.addAll(1, channels.components());
        components.addFirst(worker);
        return components;
    }

    public JobWorker<BackupEvent> jobs() {
        return worker;
    }

    @Override
    public void close() {
        expiry.shutdownNow();
        worker.close();
        channels.close();
        records.close();
        ops.close();
        views.close();
    }
}
