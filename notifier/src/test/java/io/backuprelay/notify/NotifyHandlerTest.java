package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.account.Account;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.Requester;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.sent.SentLog;
import io.backuprelay.notify.sent.SentNotification;
import io.backuprelay.notify.sent.SentRecords;
import jakarta.mail.MessagingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The handler with fakes: what it mails, and what it records so that it never mails it again. */
class NotifyHandlerTest {

    private static final Instant NOW = Instant.parse("2026-11-26T09:20:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Topics TOPICS = new Topics("t.");
    private static final String ACCOUNT = "acme-ñandú";
    private static final String ADMIN = "Ana.Pérez@acme.example";
    private static final String REQUESTER = "josé.o'brien@people.example";
    /** A retry that does not wait for the scheduler's status. */
    private static final JobContext RETRY = new JobContext("t.backup.outcomes", 0, 7, ACCOUNT, 2);

    /** backup.notifications as the notifiers' views hold it (written at once, or with the job's commit). */
    private final Map<String, SentNotification> notifications = new ConcurrentHashMap<>();
    private final List<OpsEvent> ops = new ArrayList<>();

    @Test
    void aRetryAfterTheFirstOfTwoEmailsSendsOnlyTheSecondEvenFromARestartedNotifier() throws Exception {
        BackupCompleted outcome = completed(NOW.minusSeconds(60), new Requester(REQUESTER, "es"));
        List<String> sentByFirst = new ArrayList<>();
        MailSender requesterUnreachable = email -> {
            if (email.to().contains(REQUESTER)) {
                throw new MessagingException("550 mailbox unavailable, try later");
            }
            sentByFirst.add(email.messageId());
            return "fake";
        };
        NotifyHandler first = handler(requesterUnreachable);
        assertThatThrownBy(() -> first.handle(outcome, RETRY)).isInstanceOf(MessagingException.class);
        assertThatThrownBy(() -> first.handle(outcome, RETRY)).isInstanceOf(MessagingException.class);
        assertThat(sentByFirst).containsExactly("<" + outcome.backupId() + ".completed@backuprelay>");

        List<String> sentAfterRestart = new ArrayList<>();
        JobResult result = handler(email -> {
            sentAfterRestart.add(email.messageId());
            return "fake";
        }).handle(outcome, RETRY);

        assertThat(sentAfterRestart).containsExactly("<" + outcome.backupId() + ".completed.requester@backuprelay>");
        assertThat(result.outputs()).singleElement().satisfies(o -> assertThat(o.key()).isEqualTo(outcome.backupId()));
    }

    @Test
    void anEmailIsRecordedAsSoonAsTheServerTookItSoANotifierEndingBeforeItsJobCommitsIsNotFollowedByASecondCopy()
            throws Exception {
        BackupCompleted outcome = completed(NOW.minusSeconds(60), null);
        String messageId = "<" + outcome.backupId() + ".completed@backuprelay>";
        List<String> recordedWhenSent = new ArrayList<>();
        handler(email -> {
            recordedWhenSent.addAll(notifications.keySet());
            return "fake";
        }).handle(outcome, RETRY); // its result (the job's commit) is lost: the notifier ended here

        assertThat(recordedWhenSent).as("nothing recorded before the server answered").isEmpty();
        assertThat(notifications).containsOnlyKeys("mail/" + messageId);
        assertThat(notifications.get("mail/" + messageId).recipients()).containsExactly(ADMIN);
        List<String> sentByNext = new ArrayList<>();
        JobResult again = handler(email -> {
            sentByNext.add(email.messageId());
            return "fake";
        }).handle(outcome, RETRY);
        assertThat(sentByNext).as("the next notifier, on the redelivered outcome").isEmpty();
        assertThat(again.outputs()).singleElement().satisfies(o -> assertThat(o.key()).isEqualTo(outcome.backupId()));
    }

    @Test
    void anOutcomeOlderThanTheHorizonIsNotMailedAndOpsHearWhy() throws Exception {
        BackupCompleted old = completed(NOW.minus(Duration.ofDays(30)).minusSeconds(1), null);
        List<String> mailed = new ArrayList<>();

        JobResult result = handler(email -> {
            mailed.add(email.messageId());
            return "fake";
        }).handle(old, RETRY);

        assertThat(mailed).isEmpty();
        assertThat(result.outputs()).isEmpty();
        assertThat(ops).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo(OpsStatus.SKIPPED);
            assertThat(e.detail()).contains("NOTIFY_SENT_HORIZON");
        });
    }

    @Test
    void anOutcomeJustInsideTheHorizonIsMailedAndItsRecordCarriesItsTime() throws Exception {
        Instant occurred = NOW.minus(Duration.ofDays(30)).plusSeconds(1);
        List<String> mailed = new ArrayList<>();

        JobResult result = handler(email -> {
            mailed.add(email.messageId());
            return "fake";
        }).handle(completed(occurred, null), RETRY);

        assertThat(mailed).hasSize(1);
        SentNotification record = Json.decode(result.outputs().getFirst().value(),
                SentNotification.class);
        assertThat(record.occurredAt()).isEqualTo(occurred);
        assertThat(record.recipients()).containsExactly(ADMIN);
    }

    private NotifyHandler handler(MailSender sender) {
        SentLog log = new SentLog() {
            @Override
            public void record(String key, SentNotification record) {
                notifications.put(key, record);
            }

            @Override
            public void forget(String key) {
                notifications.remove(key);
            }
        };
        Account account = new Account(ACCOUNT, "Acme Ñandú \"Ltd\"", "en", "Europe/Madrid", List.of(ADMIN),
                new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app", "app", null));
        var lookups = new NotifyHandler.Lookups(id -> id.equals(ACCOUNT) ? Optional.of(account) : Optional.empty(),
                id -> Optional.empty(), key -> Optional.empty(), id -> Optional.empty(), Thread::sleep,
                () -> { }); // fixed values: always up to date
        var sent = new SentRecords(key -> Optional.ofNullable(notifications.get(key)), log, Duration.ofDays(30), CLOCK);
        return new NotifyHandler(TOPICS, lookups, sent, new NotifyHandler.Mail(new EmailComposer(), sender),
                new NotifyHandler.Links(SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()),
                        NotifierConfig.MAX_LINK_VALIDITY), ops::add, CLOCK);
    }

    private static BackupCompleted completed(Instant occurredAt, Requester requester) {
        String backupId = "b-" + occurredAt.toEpochMilli();
        return new BackupCompleted(1, "e-" + backupId, backupId, ACCOUNT, occurredAt, Trigger.MANUAL,
                new BlobLocation("acmeblobs", "db-backups", "backups/acme/" + backupId + ".dump.zst", "http://unused"),
                12_345_678L, "f00d", Engine.POSTGRESQL, occurredAt.minusSeconds(100), occurredAt, List.of(), null, List.of(),
                requester, null, null);
    }
}
