package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.notify.mail.MailSender;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An outcome → one email to the account's super-administrators, recorded on
 * {@code backup.notifications} so that a redelivered outcome is not mailed twice. A failed send
 * throws, and the job runtime retries it with backoff before dead-lettering the outcome.
 */
public final class NotifyHandler implements JobHandler<BackupOutcome> {

    private static final Logger log = LoggerFactory.getLogger(NotifyHandler.class);

    private final Topics topics;
    private final Function<String, Optional<Account>> accounts;
    private final Function<String, Optional<SentNotification>> sent;
    private final EmailComposer composer;
    private final MailSender sender;
    private final Clock clock;

    public NotifyHandler(Topics topics, Function<String, Optional<Account>> accounts,
                         Function<String, Optional<SentNotification>> sent, EmailComposer composer, MailSender sender,
                         Clock clock) {
        this.topics = topics;
        this.accounts = accounts;
        this.sent = sent;
        this.composer = composer;
        this.sender = sender;
        this.clock = clock;
    }

    @Override
    public JobResult handle(BackupOutcome outcome, JobContext context) throws Exception {
        String messageId = EmailComposer.messageId(outcome);
        Optional<SentNotification> earlier = sent.apply(outcome.backupId());
        if (earlier.isPresent() && earlier.get().messageId().equals(messageId)) {
            log.info("The email for backup {} was already sent at {}; not sending it again", outcome.backupId(),
                    earlier.get().sentAt());
            return JobResult.of();
        }
        Optional<Account> account = accounts.apply(outcome.accountId());
        if (account.isEmpty() || account.get().superadminEmails().isEmpty()) {
            log.warn("No one to tell about backup {}: account {} is {}", outcome.backupId(), outcome.accountId(),
                    account.isEmpty() ? "not registered" : "without super-administrator emails");
            return JobResult.of();
        }
        List<String> recipients = account.get().superadminEmails();
        Email email = composer.compose(outcome, account.get(), recipients);
        String where = sender.send(email);
        log.info("Mailed the outcome of backup {} of account {} to {} recipient(s) via {}", outcome.backupId(),
                outcome.accountId(), recipients.size(), where);
        var record = new SentNotification(outcome.backupId(), outcome.accountId(),
                outcome.getClass().getSimpleName(), messageId, recipients, clock.instant());
        return JobResult.of(Output.json(topics.notifications(), outcome.backupId(), record));
    }
}
