package io.backuprelay.notify;

import io.backuprelay.format.blob.BlobNames;
import io.backuprelay.common.fault.FaultPoints;
import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;

import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.event.BackupStarted;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.Rules;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.RestoreFailed;
import io.backuprelay.common.event.RestoreVerified;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.CopyOutcome;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.event.Requester;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.notify.mail.Email;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.sent.SentNotification;
import io.backuprelay.notify.sent.SentRecords;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An outcome → one email to the account's super-administrators (and the extra recipients of its
 * settings), recorded on {@code backup.notifications} so that a redelivered outcome is not mailed
 * twice, by this notifier or a restarted one. An event older than the horizon of those records is
 * not mailed at all. A failed send throws: the job runtime retries it with backoff, and on the last
 * attempt an ops event says the outcome goes to the dead-letter topic.
 */
public final class NotifyHandler implements JobHandler<BackupEvent> {

    private static final Logger log = LoggerFactory.getLogger(NotifyHandler.class);

    /**
     * Where the handler looks things up: each a view of a compacted topic.
     *
     * @param statuses    each account's {@code BackupStatus}, as the scheduler publishes it: the only
     *                    source of the next automatic backup and the next retry
     * @param statusNews  waits until the statuses' view reads its next record (at most the time given)
     * @param catchUp     brings the four up to date with what was written before the event, at the start of
     *                    each job; the lookups themselves then read without asking the broker again
     */
    public record Lookups(Function<String, Optional<Account>> accounts,
                          Function<String, Optional<BackupSettings>> settings,
                          Function<String, Optional<Connection>> connections,
                          Function<String, Optional<BackupStatus>> statuses,
                          News statusNews, Runnable catchUp) {
    }

    /** A wait for a view's next record. */
    public interface News { void await(Duration max) throws InterruptedException; }

    /** How the emails are written, and how they go out. */
    public record Mail(EmailComposer composer, MailSender sender) {
    }

    /**
     * How the email of a manual backup links to it.
     *
     * @param sealer   opens the connection's stored key, to sign the link
     * @param validity how long the link in the super-administrators' email works
     */
    public record Links(SecretSealer sealer, Duration validity) {
    }

    /** How long an email waits for the scheduler to record the outcome, to say what comes next. */
    static final Duration STATUS_WAIT = Duration.ofSeconds(10);
    /** The longest wait between two looks at the status: a record read just before a wait began is not signalled. */
    private static final Duration STATUS_POLL = Duration.ofMillis(50);

    private final Topics topics;
    private final Lookups lookups;
    private final SentRecords sent;
    private final SecretSealer sealer;
    private final EmailComposer composer;
    private final MailSender sender;
    private final ServiceOps ops;
    private final Clock clock;
    private final Duration linkValidity;
    private final CopyNotices copies;
    private BlobAccess storage = new BlobAccess(EndpointPolicy.allowing());

    public NotifyHandler(Topics topics, Lookups lookups, SentRecords sent, Mail mail, Links links, OpsPublisher ops,
                         Clock clock) {
        this.linkValidity = links.validity();
        this.topics = topics;
        this.lookups = lookups;
        this.sent = sent;
        this.sealer = links.sealer();
        this.composer = mail.composer();
        this.sender = mail.sender();
        this.ops = new ServiceOps(ops, "notifier", clock);
        this.clock = clock;
        this.copies = new CopyNotices(topics, lookups, sent, new CopyComposer(), this.ops, clock);
    }

    /** Signs the links with the stores of {@code storage}, under its endpoint policy (Azure's hosts only until given). */
    public NotifyHandler withStorage(BlobAccess storage) {
        this.storage = storage;
        return this;
    }

    @Override
    public JobResult handle(BackupEvent event, JobContext context) throws Exception {
        if (!(event instanceof BackupRequested || event instanceof DumpReady || event instanceof DumpStarted
                || event instanceof BackupStarted || event instanceof RestoreVerified)) {
            lookups.catchUp().run(); // one round trip to the broker for the four views this event's email reads
        }
        return switch (event) {
            case BackupOutcome outcome -> outcome(outcome, context);
            case BackupOverdue alert -> overdue(alert, context);
            case BackupRequested ignored -> JobResult.of();
            case DumpReady ignored -> JobResult.of();
            case DumpStarted ignored -> JobResult.of();
            case BackupStarted ignored -> JobResult.of();
            case RestoreFailed failed -> drillFailed(failed, context);
            case RestoreVerified ignored -> JobResult.of();
            case CopyOutcome copy -> copies.handle(copy, context, this::pastHorizon, this::deliver);
        };
    }

    /** At most one reminder a day an account, recorded under the account and the day. */
    private JobResult overdue(BackupOverdue alert, JobContext context) throws Exception {
        String key = "overdue/" + alert.accountId() + "/" + alert.occurredAt().atZone(ZoneOffset.UTC).toLocalDate();
        if (pastHorizon(alert) || sent.find(key).isPresent()) {
            return JobResult.of();
        }
        Optional<Account> account = lookups.accounts().apply(alert.accountId());
        if (account.isEmpty() || account.get().superadminEmails().isEmpty()) {
            return JobResult.of();
        }
        List<String> recipients = recipients(account.get(), lookups.settings().apply(alert.accountId()));
        Email email = composer.overdue(alert, account.get(), recipients);
        deliver(email, alert, context);
        ops.publish(alert.backupId(), alert.accountId(), OpsStage.SCHEDULE, OpsStatus.OVERDUE_MAILED,
                "last success " + alert.lastSuccessAt());
        return JobResult.of(Output.json(topics.notifications(), key, new SentNotification(key, alert.accountId(),
                "BackupOverdue", email.messageId(), recipients, clock.instant(), alert.occurredAt())));
    }

    /** The super-administrators (and extra recipients) learn that a stored backup may not restore; once per backup. */
    private JobResult drillFailed(RestoreFailed failed, JobContext context) throws Exception {
        String key = "drill/" + failed.backupId();
        if (pastHorizon(failed) || sent.find(key).isPresent()) {
            return JobResult.of();
        }
        Optional<Account> account = lookups.accounts().apply(failed.accountId());
        if (account.isEmpty() || account.get().superadminEmails().isEmpty()) {
            log.warn("No one to tell that backup {} failed its restore drill: account {} has no super-administrator emails",
                    failed.backupId(), failed.accountId());
            return JobResult.of();
        }
        List<String> recipients = recipients(account.get(), lookups.settings().apply(failed.accountId()));
        Email email = composer.drillFailed(failed, account.get(), recipients);
        deliver(email, failed, context);
        ops.publish(failed.backupId(), failed.accountId(), OpsStage.DRILL, OpsStatus.FAILED_MAILED, failed.detail());
        return JobResult.of(Output.json(topics.notifications(), key, new SentNotification(key, failed.accountId(),
                "RestoreFailed", email.messageId(), recipients, clock.instant(), failed.occurredAt())));
    }

    private JobResult outcome(BackupOutcome outcome, JobContext context) throws Exception {
        if (pastHorizon(outcome)) {
            return JobResult.of();
        }
        String messageId = EmailComposer.messageId(outcome);
        Optional<SentNotification> earlier = sent.find(outcome.backupId());
        if (earlier.isPresent() && earlier.get().messageId().equals(messageId)) {
            log.info("The email for backup {} was already sent at {}; not sending it again", outcome.backupId(),
                    earlier.get().sentAt());
            return JobResult.of();
        }
        Optional<Account> account = lookups.accounts().apply(outcome.accountId());
        Requester requester = outcome.requester() != null && Rules.isEmail(outcome.requester().email())
                ? outcome.requester() : null;
        if (account.isEmpty() || account.get().superadminEmails().isEmpty() && requester == null) {
            log.warn("No one to tell about backup {}: account {} is {}", outcome.backupId(), outcome.accountId(),
                    account.isEmpty() ? "not registered" : "without super-administrator emails");
            return JobResult.of();
        }
        Optional<BackupSettings> settings = lookups.settings().apply(outcome.accountId());
        // A link goes to super-administrators only: the extra recipients get the same news without it.
        List<String> admins = new ArrayList<>(recipients(account.get(), Optional.empty()));
        List<String> others = new ArrayList<>(recipients(account.get(), settings));
        others.removeIf(address -> admins.stream().anyMatch(address::equalsIgnoreCase));
        EmailComposer.Extras extras = extras(outcome, settings, context);
        // The person who pressed the button is mailed once: with the others when they read the
        // account's language, else on their own in theirs. Only a super-administrator of the account
        // gets a link (the requester of a record is whatever its writer put there).
        Email own = null;
        EmailComposer.Extras ownExtras = extras.withoutLink();
        if (requester != null) {
            admins.removeIf(address -> address.equalsIgnoreCase(requester.email()));
            others.removeIf(address -> address.equalsIgnoreCase(requester.email()));
            boolean admin = account.get().superadminEmails().stream().anyMatch(requester.email()::equalsIgnoreCase);
            String theirs = EmailComposer.languageOf(account.get(), requester.locale());
            if (theirs.equals(EmailComposer.languageOf(account.get(), null))) {
                (admin ? admins : others).add(requester.email());
            } else {
                ownExtras = admin ? extras : extras.withoutLink();
                own = composer.compose(outcome, account.get(), List.of(requester.email()), ownExtras, theirs);
            }
        }
        // Apart whenever a link may be in the email (so that a retry addresses the same copies);
        // otherwise one email to all, which carries no link.
        if (!linkMayBeGiven(outcome)) {
            admins.addAll(others);
            others.clear();
        }
        List<String> all = new ArrayList<>(admins);
        all.addAll(others);
        String kind = outcome.getClass().getSimpleName();
        if (!admins.isEmpty()) {
            Email shared = composer.compose(outcome, account.get(), admins, extras);
            if (deliver(shared, outcome, context)) {
                recordLink(outcome, extras, admins.size());
            }
        }
        if (!others.isEmpty()) {
            Email plain = composer.compose(outcome, account.get(), others, extras.withoutLink());
            deliver(new Email(plain.to(), plain.subject(), plain.text(), plain.html(),
                    EmailComposer.othersMessageId(outcome)), outcome, context);
        }
        if (own != null) {
            if (deliver(own, outcome, context)) {
                recordLink(outcome, ownExtras, 1);
            }
            all.add(requester.email());
        }
        var record = new SentNotification(outcome.backupId(), outcome.accountId(), kind, messageId, all, clock.instant(),
                outcome.occurredAt());
        return JobResult.of(Output.json(topics.notifications(), outcome.backupId(), record));
    }

    /** A manual backup's completion is mailed with a link, where its connection can sign one. */
    private static boolean linkMayBeGiven(BackupOutcome outcome) {
        return outcome instanceof BackupCompleted completed && completed.trigger() == Trigger.MANUAL
                && completed.connectionId() != null;
    }

    /**
     * Every link given is recorded on {@code backup.ops}: to whom and until when, never the link
     * itself. Nothing when the email carried none.
     */
    private void recordLink(BackupOutcome outcome, EmailComposer.Extras extras, int recipients) {
        extras.download().ifPresent(link -> ops.publish(outcome.backupId(), outcome.accountId(), OpsStage.DOWNLOAD,
                OpsStatus.LINK_ISSUED, "read-only link in the email to " + recipients
                        + " super-administrator(s), valid until " + link.expiresAt()));
    }

    /** The super-administrators and the extra recipients, each address once whatever its case. */
    static List<String> recipients(Account account, Optional<BackupSettings> settings) {
        Map<String, String> byAddress = new LinkedHashMap<>();
        account.superadminEmails().forEach(a -> byAddress.putIfAbsent(a.toLowerCase(Locale.ROOT), a));
        settings.ifPresent(s -> s.notifyEmails().forEach(a -> byAddress.putIfAbsent(a.toLowerCase(Locale.ROOT), a)));
        return List.copyOf(byAddress.values());
    }

    /**
     * An event older than the horizon is not mailed: a redelivery that old may have lost its record
     * of being sent, and its news is stale anyway. Ops hear of it.
     */
    private boolean pastHorizon(BackupEvent event) {
        if (!sent.pastHorizon(event.occurredAt())) {
            return false;
        }
        String why = event.getClass().getSimpleName() + " of " + event.occurredAt()
                + " is older than the horizon of sent mail (NOTIFY_SENT_HORIZON, " + sent.horizon() + "); not mailed";
        log.warn("Backup {} of account {}: {}", event.backupId(), event.accountId(), why);
        ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, OpsStatus.SKIPPED, why);
        return true;
    }

    /**
     * Sends, or throws for the runtime to retry; on the last attempt an ops event says the message
     * goes to the DLQ. An email the server accepted is recorded at once, before anything else: a
     * notifier that ends between the server's answer and the job's commit must not send it twice.
     *
     * @return whether it went out now (false: it had gone out before)
     */
    private boolean deliver(Email email, BackupEvent event, JobContext context) throws Exception {
        if (sent.mailed(email.messageId())) {
            log.info("{} was already sent; not sending it again", email.messageId());
            return false;
        }
        String where;
        try {
            where = sender.send(email);
        } catch (Exception e) {
            ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, context.lastAttempt()
                    ? OpsStatus.DEAD_LETTERED : OpsStatus.FAILED,
                    "mail could not be delivered (try " + context.attempt() + "): " + e.getMessage());
            throw e;
        }
        FaultPoints.reach(FaultPoints.MAIL_SENT);
        sent.accepted(new SentNotification(event.backupId(), event.accountId(), event.getClass().getSimpleName(),
                email.messageId(), email.to(), clock.instant(), event.occurredAt()));
        ops.publish(event.backupId(), event.accountId(), OpsStage.NOTIFY, OpsStatus.SENT,
                email.messageId() + " to " + email.to().size() + " recipient(s)");
        log.info("Mailed {} about backup {} of account {} to {} recipient(s) via {}", email.messageId(),
                event.backupId(), event.accountId(), email.to().size(), where);
        return true;
    }

    private EmailComposer.Extras extras(BackupOutcome outcome, Optional<BackupSettings> settings, JobContext context)
            throws InterruptedException {
        // Only the first try waits for the scheduler; a retry (the mail server was away) looks once.
        Optional<BackupStatus> status = statusWith(outcome, context.attempt() == 1 ? STATUS_WAIT : Duration.ZERO);
        Optional<Instant> next = status.map(BackupStatus::nextDueAt);
        if (!(outcome instanceof BackupCompleted completed)) {
            boolean manual = outcome instanceof BackupFailed failed && failed.trigger() == Trigger.MANUAL;
            return new EmailComposer.Extras(manual ? Optional.empty() : next, Optional.empty());
        }
        Optional<EmailComposer.Download> link = Optional.empty();
        if (linkMayBeGiven(completed)) {
            link = lookups.connections().apply(Connection.key(completed.accountId(), completed.connectionId()))
                    .flatMap(connection -> downloadLink(connection, completed));
        }
        return new EmailComposer.Extras(next, link, status.flatMap(BackupStatus::lastVerifiedRestore),
                CopyNotices.destinations(completed.accountId(), settings, lookups.connections()));
    }

    /**
     * The account's status once the scheduler has recorded this outcome: it tells the next automatic
     * backup (after a success) or retry (after a failure), and the last verified restore; empty when
     * the scheduler has not recorded the outcome within {@code wait}.
     */
    private Optional<BackupStatus> statusWith(BackupOutcome outcome, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<BackupStatus> status = lookups.statuses().apply(outcome.accountId());
            if (status.isPresent() && status.get().recent().stream().anyMatch(o -> o.backupId().equals(outcome.backupId()))) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                log.warn("The scheduler has not recorded backup {} of account {} yet; the email says nothing of the next one",
                        outcome.backupId(), outcome.accountId());
                return Optional.empty();
            }
            lookups.statusNews().await(STATUS_POLL); // woken by the scheduler's write, usually well before
        }
    }

    private Optional<EmailComposer.Download> downloadLink(Connection connection, BackupCompleted completed) {
        try {
            BlobCredential credential = BlobCredential.of(connection, sealer);
            if (credential.accountKey() == null) {
                return Optional.empty(); // a token is never handed out, and cannot sign a link for one blob
            }
            if (!BlobNames.isBackupOf(completed.destination().blobName(), connection.path(),
                    completed.accountId(), completed.backupId())) {
                log.warn("No download link for backup {}: its event names the blob '{}', not where this account's backup"
                        + " is kept", completed.backupId(), completed.destination().blobName());
                return Optional.empty();
            }
            BlobStore.Link link = storage.store(connection, credential).backupLink(completed.destination().blobName(),
                    linkValidity); // it carries the manifest's, for a restore compared with the inventory
            return link.url().map(url -> new EmailComposer.Download(url, link.expiresAt()));
        } catch (RuntimeException e) {
            log.warn("No download link for backup {}: {}", completed.backupId(), e.toString());
            return Optional.empty();
        }
    }
}
