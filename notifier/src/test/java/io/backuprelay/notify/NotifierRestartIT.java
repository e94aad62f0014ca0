package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.Requester;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.notify.mail.MailSender;
import jakarta.mail.MessagingException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A notifier that stops and starts again against the real broker: it never mails what it, or its predecessor, sent. */
class NotifierRestartIT {

    private static final SecretSealer SEALER = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private static final NotifierConfig QUICK_RETRIES = new NotifierConfig(
            new RetryPolicy(20, Duration.ofMillis(200), Duration.ofMillis(500)));
    /** Tries that outlast the notifier's 10 s shutdown grace: stopped, it leaves the outcome uncommitted. */
    private static final NotifierConfig MANY_RETRIES = new NotifierConfig(
            new RetryPolicy(100, Duration.ofMillis(200), Duration.ofMillis(500)));

    @Test
    void aRestartedNotifierSendsNothingForAnOutcomeRedeliveredAfterItWasMailed() {
        OutcomeFixture fixture = new OutcomeFixture();
        BackupCompleted outcome = fixture.completed(null);
        List<String> beforeRestart = new CopyOnWriteArrayList<>();
        try (NotifierWorker first = worker(fixture, recording(beforeRestart))) {
            fixture.publish(outcome);
            await().atMost(Duration.ofSeconds(30)).until(() -> first.jobs().committedJobs() == 1);
        }
        assertThat(beforeRestart).containsExactly("<" + outcome.backupId() + ".completed@backuprelay>");

        List<String> afterRestart = new CopyOnWriteArrayList<>();
        try (NotifierWorker restarted = worker(fixture, recording(afterRestart))) {
            fixture.publish(outcome); // redelivered, as a producer's retry or an offset reset would
            await().atMost(Duration.ofSeconds(30)).until(() -> restarted.jobs().committedJobs() == 1);
        }
        assertThat(afterRestart).isEmpty();
    }

    @Test
    void aNotifierRestartedAfterTheFirstOfTwoEmailsSendsOnlyTheSecond() {
        OutcomeFixture fixture = new OutcomeFixture();
        String requester = "josé.o'brien+" + fixture.account + "@people.example";
        BackupCompleted outcome = fixture.completed(new Requester(requester, "es-ES"));
        List<String> beforeRestart = new CopyOnWriteArrayList<>();
        AtomicInteger refusals = new AtomicInteger();
        MailSender requesterRefused = email -> {
            if (email.to().contains(requester)) {
                refusals.incrementAndGet();
                throw new MessagingException("451 try again later");
            }
            beforeRestart.add(email.messageId());
            return "test";
        };
        try (NotifierWorker first = worker(fixture, requesterRefused, MANY_RETRIES)) {
            fixture.publish(outcome);
            await().atMost(Duration.ofSeconds(30)).until(() -> refusals.get() >= 3);
            assertThat(first.jobs().committedJobs()).isZero();
        } // stopped mid-retry: the outcome stays uncommitted for the next notifier
        assertThat(beforeRestart).containsExactly("<" + outcome.backupId() + ".completed@backuprelay>");

        List<String> afterRestart = new CopyOnWriteArrayList<>();
        try (NotifierWorker restarted = worker(fixture, recording(afterRestart))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> restarted.jobs().committedJobs() == 1);
        }
        assertThat(afterRestart).containsExactly("<" + outcome.backupId() + ".completed.requester@backuprelay>");
    }

    private static NotifierWorker worker(OutcomeFixture fixture, MailSender sender) {
        return worker(fixture, sender, QUICK_RETRIES);
    }

    private static NotifierWorker worker(OutcomeFixture fixture, MailSender sender, NotifierConfig retries) {
        return new NotifierWorker(fixture.kafka, sender, retries, SEALER, Clock.systemUTC()).start();
    }

    private static MailSender recording(List<String> messageIds) {
        return email -> {
            messageIds.add(email.messageId());
            return "test";
        };
    }
}
