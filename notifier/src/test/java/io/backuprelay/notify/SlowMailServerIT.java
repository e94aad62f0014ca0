package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.notify.mail.Email;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.notify.mail.SmtpMailSender;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TcpProxy;
import io.backuprelay.testkit.TestSmtp;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A mail server that answers the end of a message's data late, as the chaos run's does (TcpProxy
 * holds that answer back; GreenMail has the message by then). The end-of-data timeout is shortened
 * here so the test takes seconds, not the 10 minutes of the default.
 */
class SlowMailServerIT {

    private static final Duration HELD = Duration.ofSeconds(3);
    private static final SecretSealer SEALER = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());

    @Test
    void theAnswerToTheEndOfDataIsAwaitedLongerThanTheOtherAnswers() throws Exception {
        String to = "Zoë." + UUID.randomUUID().toString().substring(0, 8) + "@acme.example";
        try (TcpProxy slow = TcpProxy.start(TestSmtp.port(), 7).slowAfterData(1.0, HELD)) {
            // Each other answer may take a second at most; the held one takes three.
            SmtpMailSender sender = new SmtpMailSender(settings(slow.port(), new MailSettings.Timeouts(
                    Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(10))));
            long started = System.nanoTime();

            sender.send(email(to));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(HELD);
            assertThat(slow.slowed()).isEqualTo(1);
        }
        assertThat(TestSmtp.messagesTo(to)).hasSize(1);
    }

    @Test
    void aClientThatGivesUpBeforeTheAnswerLeavesTheMessageWithTheServer() throws Exception {
        String to = "Zoë." + UUID.randomUUID().toString().substring(0, 8) + "@acme.example";
        try (TcpProxy slow = TcpProxy.start(TestSmtp.port(), 7).slowAfterData(1.0, HELD)) {
            SmtpMailSender sender = new SmtpMailSender(settings(slow.port(), new MailSettings.Timeouts(
                    Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(1))));

            assertThatThrownBy(() -> sender.send(email(to))).hasRootCauseInstanceOf(SocketTimeoutException.class);
        }
        // Why waiting matters: the server has the message the client believes it failed to send.
        await().atMost(Duration.ofSeconds(5)).until(() -> TestSmtp.messagesTo(to).size() == 1);
    }

    @Test
    void theNotifierMailsAnOutcomeOnceToAServerThatAnswersTheEndOfDataLate() {
        OutcomeFixture fixture = new OutcomeFixture();
        try (TcpProxy slow = TcpProxy.start(TestSmtp.port(), 7).slowAfterData(1.0, HELD)) {
            AtomicInteger tries = new AtomicInteger();
            try (NotifierWorker worker = worker(fixture, counting(smtp(slow.port(), "PT10S"), tries), 5)) {
                BackupCompleted outcome = fixture.completed(null);
                fixture.publish(outcome);

                await().atMost(Duration.ofSeconds(30)).until(() -> worker.jobs().committedJobs() == 1);
            }
            assertThat(tries).hasValue(1);
            assertThat(slow.slowed()).isEqualTo(1);
        }
        assertThat(TestSmtp.messagesTo(fixture.admin)).hasSize(1);
    }

    @Test
    void withSmtpDataTimeoutShorterThanTheAnswerTheNotifierSendsAgainAndTheServerGetsCopies() {
        OutcomeFixture fixture = new OutcomeFixture();
        try (TcpProxy slow = TcpProxy.start(TestSmtp.port(), 7).slowAfterData(1.0, HELD)) {
            AtomicInteger tries = new AtomicInteger();
            try (NotifierWorker worker = worker(fixture, counting(smtp(slow.port(), "PT1S"), tries), 2)) {
                fixture.publish(fixture.completed(null));

                await().atMost(Duration.ofSeconds(30)).until(() -> worker.jobs().committedJobs() == 1);
            }
            assertThat(tries).hasValue(2);
            assertThat(KafkaProbe.records(fixture.topics.deadLetters())).hasSize(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> TestSmtp.messagesTo(fixture.admin).size() == 2);
    }

    /** The sender as the notifier builds it from its settings, with {@code SMTP_DATA_TIMEOUT} as given. */
    private static SmtpMailSender smtp(int port, String dataTimeout) {
        MailSettings settings = MailSettings.from(new ConfigSource(Map.of("SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(port), "SMTP_SECURITY", "NONE", "SMTP_DATA_TIMEOUT", dataTimeout)));
        assertThat(settings.timeouts().endOfData()).isEqualTo(Duration.parse(dataTimeout));
        return new SmtpMailSender(settings);
    }

    private static NotifierWorker worker(OutcomeFixture fixture, MailSender sender, int attempts) {
        NotifierConfig config = new NotifierConfig(new RetryPolicy(attempts, Duration.ofMillis(100), Duration.ofMillis(200)));
        return new NotifierWorker(fixture.kafka, sender, config, SEALER, Clock.systemUTC()).start();
    }

    private static MailSender counting(MailSender sender, AtomicInteger tries) {
        return email -> {
            tries.incrementAndGet();
            return sender.send(email);
        };
    }

    private static MailSettings settings(int port, MailSettings.Timeouts timeouts) {
        return new MailSettings(Optional.of("127.0.0.1"), port, MailSettings.Security.NONE, MailSettings.Login.NONE,
                "backups@platform.example", Path.of("unused"), timeouts);
    }

    private static Email email(String to) {
        return new Email(List.of(to), "Copia de seguridad completada — Ñandú \"Backups\"", "texto", "<p>texto</p>",
                "<" + UUID.randomUUID() + ".completed@backuprelay>");
    }
}
