package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.notify.mail.OutboxMailSender;
import io.backuprelay.notify.mail.SmtpMailSender;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The notifier step: reads {@code backup.outcomes}, sends mail, writes {@code backup.notifications}. */
public final class NotifierWorker implements Closeable {

    private final List<CompactedTopicView<?>> views;
    private final OpsPublisher ops;
    private final JobWorker<BackupEvent> worker;

    public NotifierWorker(KafkaSettings kafka, MailSettings mail, NotifierConfig config, SecretSealer sealer, Clock clock) {
        this(kafka, mail.host().isPresent()
                ? new SmtpMailSender(mail)
                : new OutboxMailSender(mail.outboxDir(), mail.from()), config, sealer, clock);
    }

    public NotifierWorker(KafkaSettings kafka, MailSender sender, NotifierConfig config, SecretSealer sealer, Clock clock) {
        var accounts = new CompactedTopicView<>(kafka, "notifier-accounts", kafka.topics().accounts(),
                bytes -> Json.decode(bytes, Account.class));
        var settings = new CompactedTopicView<>(kafka, "notifier-settings", kafka.topics().settings(),
                bytes -> Json.decode(bytes, BackupSettings.class));
        var connections = new CompactedTopicView<>(kafka, "notifier-connections", kafka.topics().connections(),
                bytes -> Json.decode(bytes, Connection.class));
        var sent = new CompactedTopicView<>(kafka, "notifier-sent", kafka.topics().notifications(),
                bytes -> Json.decode(bytes, SentNotification.class));
        var statuses = new CompactedTopicView<>(kafka, "notifier-status", kafka.topics().status(),
                bytes -> Json.decode(bytes, io.backuprelay.common.account.BackupStatus.class));
        this.views = List.of(accounts, settings, connections, sent, statuses);
        this.ops = OpsPublisher.kafka(kafka, "notifier-ops");
        NotifyHandler handler = new NotifyHandler(kafka.topics(),
                new NotifyHandler.Lookups(accounts::get, settings::get, connections::get, sent::get, statuses::get), sealer,
                new EmailComposer(), sender, ops, clock);
        this.worker = new JobWorker<>(new JobWorkerConfig("notifier", kafka.topics().prefix() + NotifierConfig.GROUP_ID,
                kafka.topics().outcomes(), kafka.topics().deadLetters(), 4, Duration.ofSeconds(10), config.retry()),
                kafka, bytes -> Json.decode(bytes, BackupEvent.class), handler);
    }

    public NotifierWorker start() {
        views.forEach(CompactedTopicView::start);
        worker.start();
        return this;
    }

    /** The loop and the views, for the health endpoints. */
    public List<io.backuprelay.common.service.HealthCheck> components() {
        List<io.backuprelay.common.service.HealthCheck> components = new java.util.ArrayList<>(views);
        components.add(0, worker);
        return components;
    }

    public JobWorker<BackupEvent> jobs() {
        return worker;
    }

    @Override
    public void close() {
        worker.close();
        ops.close();
        views.forEach(CompactedTopicView::close);
    }
}
