package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.notify.mail.OutboxMailSender;
import io.backuprelay.notify.mail.SmtpMailSender;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;

/** The notifier step: reads {@code backup.outcomes}, sends mail, writes {@code backup.notifications}. */
public final class NotifierWorker implements Closeable {

    public static final String GROUP_ID = "backuprelay-notifier";

    private final CompactedTopicView<Account> accounts;
    private final CompactedTopicView<SentNotification> sent;
    private final JobWorker<BackupOutcome> worker;

    public NotifierWorker(KafkaSettings kafka, MailSettings mail, Clock clock) {
        this(kafka, mail.host().isPresent()
                ? new SmtpMailSender(mail)
                : new OutboxMailSender(mail.outboxDir(), mail.from()), clock);
    }

    public NotifierWorker(KafkaSettings kafka, MailSender sender, Clock clock) {
        this.accounts = new CompactedTopicView<>(kafka, "notifier-accounts", kafka.topics().accounts(),
                bytes -> Json.decode(bytes, Account.class));
        this.sent = new CompactedTopicView<>(kafka, "notifier-sent", kafka.topics().notifications(),
                bytes -> Json.decode(bytes, SentNotification.class));
        NotifyHandler handler = new NotifyHandler(kafka.topics(), accounts::get, sent::get, new EmailComposer(),
                sender, clock);
        // An SMTP server may be away for a while: retry for about half an hour before dead-lettering.
        RetryPolicy retry = new RetryPolicy(8, Duration.ofSeconds(5), Duration.ofMinutes(10));
        this.worker = new JobWorker<>(new JobWorkerConfig("notifier", kafka.topics().prefix() + GROUP_ID,
                kafka.topics().outcomes(), kafka.topics().deadLetters(), 4, Duration.ofSeconds(10), retry),
                kafka, bytes -> Json.decode(bytes, BackupOutcome.class), handler);
    }

    public NotifierWorker start() {
        accounts.start();
        sent.start();
        worker.start();
        return this;
    }

    public JobWorker<BackupOutcome> jobs() {
        return worker;
    }

    @Override
    public void close() {
        worker.close();
        accounts.close();
        sent.close();
    }
}
