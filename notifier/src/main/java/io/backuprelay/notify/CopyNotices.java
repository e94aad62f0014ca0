package io.backuprelay.notify;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyOutcome;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.notify.mail.Email;
import io.backuprelay.notify.sent.SentNotification;
import io.backuprelay.notify.sent.SentRecords;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy worker's news about the copies of stored backups, mailed to the super-administrators (and the
 * extra recipients) only when they have something to learn: a copy given up (a warning to act on), or a
 * copy stored only after failed tries (the warning-free end of an outage they may have noticed). A copy
 * stored at the first try, or a failed try that will be retried, is not mailed: the completion email
 * already said the copies follow. Each email goes once per backup and copy destination, recorded on
 * {@code backup.notifications} under {@code copy/<backupId>/<connectionId>} (given up) or
 * {@code copy/<backupId>/<connectionId>/stored}.
 */
final class CopyNotices {

    private static final Logger log = LoggerFactory.getLogger(CopyNotices.class);

    /** How one email goes out: {@link NotifyHandler}'s delivery, which records it at once and throws to be retried. */
    @FunctionalInterface
    interface Delivery {
        boolean deliver(Email email, BackupEvent event, JobContext context) throws Exception;
    }

    private final Topics topics;
    private final NotifyHandler.Lookups lookups;
    private final SentRecords sent;
    private final CopyComposer composer;
    private final ServiceOps ops;
    private final Clock clock;

    CopyNotices(Topics topics, NotifyHandler.Lookups lookups, SentRecords sent, CopyComposer composer, ServiceOps ops,
                Clock clock) {
        this.topics = topics;
        this.lookups = lookups;
        this.sent = sent;
        this.composer = composer;
        this.ops = ops;
        this.clock = clock;
    }

    /**
     * @param pastHorizon whether the event is too old to be mailed (it says so to ops)
     */
    JobResult handle(CopyOutcome copy, JobContext context, Predicate<BackupEvent> pastHorizon, Delivery delivery)
            throws Exception {
        boolean news = switch (copy) {
            case CopyFailed failed -> !failed.willRetry();
            case CopyStored stored -> stored.attempt() > 1;
        };
        String key = key(copy);
        if (!news || pastHorizon.test(copy) || sent.find(key).isPresent()) {
            return JobResult.of();
        }
        Optional<Account> account = lookups.accounts().apply(copy.accountId());
        if (account.isEmpty() || account.get().superadminEmails().isEmpty()) {
            log.warn("No one to tell about the copy of backup {} to {}: account {} has no super-administrator emails",
                    copy.backupId(), copy.connectionId(), copy.accountId());
            return JobResult.of();
        }
        Optional<BackupSettings> settings = lookups.settings().apply(copy.accountId());
        List<String> recipients = NotifyHandler.recipients(account.get(), settings);
        String destination = name(copy.accountId(), copy.connectionId(), lookups.connections());
        Email email = switch (copy) {
            case CopyFailed failed -> composer.givenUp(failed, account.get(), destination, recipients);
            case CopyStored stored -> composer.storedLate(stored, account.get(), destination, recipients);
        };
        delivery.deliver(email, copy, context);
        ops.publish(copy.backupId(), copy.accountId(), OpsStage.NOTIFY, switch (copy) {
            case CopyFailed failed -> OpsStatus.COPY_FAILED_MAILED;
            case CopyStored stored -> OpsStatus.COPY_STORED_MAILED;
        }, detail(copy));
        return JobResult.of(Output.json(topics.notifications(), key, new SentNotification(key, copy.accountId(),
                copy.getClass().getSimpleName(), email.messageId(), recipients, clock.instant(), copy.occurredAt())));
    }

    /** Where the copies of the account's backups go, each as the super-administrator knows it. */
    static List<String> destinations(String accountId, Optional<BackupSettings> settings,
                                     Function<String, Optional<Connection>> connections) {
        return settings.map(s -> s.copies().stream().map(c -> name(accountId, c.connectionId(), connections)).toList())
                .orElse(List.of());
    }

    /** The connection's description, else its id (also when the connection is gone). */
    static String name(String accountId, String connectionId, Function<String, Optional<Connection>> connections) {
        return connections.apply(Connection.key(accountId, connectionId)).map(Connection::description)
                .filter(description -> !description.isBlank()).orElse(connectionId);
    }

    static String key(CopyOutcome copy) {
        String key = "copy/" + copy.backupId() + "/" + copy.connectionId();
        return copy instanceof CopyStored ? key + "/stored" : key;
    }

    private static String detail(CopyOutcome copy) {
        return switch (copy) {
            case CopyFailed failed -> "copy to connection " + failed.connectionId() + " given up after "
                    + failed.attempt() + " attempt(s): " + failed.reason();
            case CopyStored stored -> "copy to connection " + stored.connectionId() + " stored after "
                    + stored.attempt() + " attempts";
        };
    }
}
