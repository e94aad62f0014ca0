package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOutcome;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Requester;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.notify.mail.MailSender;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.notify.mail.SmtpMailSender;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The notifier against the real broker and a real SMTP server (GreenMail): what a super-administrator reads. */
class NotifierMailIT {

    private static final Instant ENDED = Instant.parse("2026-11-26T09:16:40Z");
    private static final SecretSealer SEALER = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private static final NotifierConfig QUICK_RETRIES = new NotifierConfig(
            new RetryPolicy(20, Duration.ofMillis(200), Duration.ofMillis(500)))
            .withEndpoints(EndpointPolicy.allowing(Azurite.origin())); // as its settings would list the emulator

    private static Topics topics;
    private static KafkaSettings kafka;
    private static NotifierWorker notifier;
    private static BlobContainerClient container;

    @BeforeAll
    static void start() {
        topics = new Topics(TestKafka.uniquePrefix());
        kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        notifier = new NotifierWorker(kafka, smtp(TestSmtp.port()), QUICK_RETRIES, SEALER, Clock.systemUTC()).start();
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("mail-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @AfterAll
    static void stop() {
        notifier.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Database backup completed — Tenant|November 26, 2026|Next automatic backup|December 3, 2026",
            "es|Copia de seguridad completada — Tenant|26 de noviembre de 2026|Próxima copia automática|3 de diciembre de 2026",
            "fr|Sauvegarde terminée — Tenant|26 novembre 2026|Prochaine sauvegarde automatique|3 décembre 2026",
            "pt|Cópia de segurança concluída — Tenant|26 de novembro de 2026|Próxima cópia automática|3 de dezembro de 2026"})
    void aManualBackupsEmailHasItsFactsTheNextDateAndALinkThatDownloadsTheBlob(String locale, String subject, String date,
                                                                          String nextLabel, String nextDate) throws Exception {
        String account = register(locale, "Tenant", BackupType.EVERY_7_DAYS);
        BackupCompleted outcome = completed(account, null);
        String blobName = outcome.destination().blobName();
        container.getBlobClient(blobName).upload(BinaryData.fromString("the archive of " + account));
        publish(outcome, ENDED.plus(Duration.ofDays(7)));

        MimeMessage email = awaitOneEmail(account);

        assertThat(email.getSubject()).isEqualTo(subject + " " + account);
        String text = part(email, "text/plain");
        assertThat(text).contains(date).contains("10:16:40").contains("(Europe/Madrid)").contains("12,345,678 bytes")
                .contains(blobName).contains(Azurite.ACCOUNT_NAME).contains(container.getBlobContainerName())
                .contains(nextLabel).contains(nextDate);
        String link = text.lines().filter(l -> l.contains("sig=")).findFirst().orElseThrow().replaceAll(".*?(http\\S+).*", "$1");
        HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("the archive of " + account);
        assertThat(ManifestLink.parse(link).manifestBesideTheBlob()).as("it carries the manifest's link, for the restore")
                .isTrue();
        assertThat(part(email, "text/html")).contains("<a href=\"").contains(date);
        assertThat(text).doesNotContain(Azurite.ACCOUNT_KEY);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Database backup failed — Tenant|Database dump|Next try|What you can do",
            "es|La copia de seguridad ha fallado — Tenant|Volcado de la base de datos|Próximo intento|Qué puede hacer",
            "fr|Échec de la sauvegarde — Tenant|Export de la base de données|Prochain essai|Que faire",
            "pt|A cópia de segurança falhou — Tenant|Exportação da base de dados|Próxima tentativa|O que pode fazer"})
    void aFailureEmailSaysTheStepTheReasonWhatToDoAndTheNextTry(String locale, String subject, String step, String nextTry,
                                                                String advice) throws Exception {
        String account = register(locale, "Tenant", BackupType.EVERY_7_DAYS);
        BackupRequested request = new BackupRequested(1, "e", UUID.randomUUID().toString(), account, ENDED,
                Trigger.SCHEDULED, 1, "scheduler", "main", null, 0, null);
        publish(BackupFailed.of(request, FailureStage.DUMP, "Cannot reach the database server db:5432 (connection refused).",
                ENDED.plusSeconds(20)), ENDED.plusSeconds(20).plus(Duration.ofMinutes(15)));

        MimeMessage email = awaitOneEmail(account);

        assertThat(email.getSubject()).isEqualTo(subject + " " + account);
        assertThat(part(email, "text/plain")).contains(step)
                .contains("Cannot reach the database server db:5432 (connection refused).")
                .contains(nextTry).contains("10:32:00").contains(advice);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Database backups are overdue — Late|Last successful backup|November 15, 2026|Every 7 days",
            "es|Las copias de seguridad están atrasadas — Late|Última copia correcta|15 de noviembre de 2026|Cada 7 días",
            "fr|Les sauvegardes sont en retard — Late|Dernière sauvegarde réussie|15 novembre 2026|Tous les 7 jours",
            "pt|As cópias de segurança estão em atraso — Late|Última cópia bem-sucedida|15 de novembro de 2026|A cada 7 dias"})
    void anOverdueReminderIsMailedAtMostOnceADay(String locale, String subject, String label, String date, String type)
            throws Exception {
        String account = register(locale, "Late", BackupType.EVERY_7_DAYS);
        Instant now = Instant.parse("2026-11-26T08:00:00Z");
        publish(BackupOverdue.of(account, "b-last", BackupType.EVERY_7_DAYS, ENDED.minus(Duration.ofDays(11)), 4, now));

        MimeMessage email = awaitOneEmail(account);
        assertThat(email.getSubject()).isEqualTo(subject + " " + account);
        assertThat(part(email, "text/plain")).contains(label).contains(date).contains("10:16:40").contains(type);

        publish(BackupOverdue.of(account, "b-last", BackupType.EVERY_7_DAYS, ENDED.minus(Duration.ofDays(11)), 5,
                now.plus(Duration.ofHours(3))));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> TestSmtp.messagesTo(account).size() == 1);
    }

    @Test
    void theRequesterGetsTheEmailOnceInTheirOwnLanguageAndTheSuperadminsInTheAccounts() throws Exception {
        String account = register("en", "Tenant", BackupType.MANUAL);
        String requester = "ana." + UUID.randomUUID().toString().substring(0, 8) + "@people.example";
        BackupCompleted outcome = completed(account, "req.dump.zst", new Requester(requester, "es-ES"));
        publish(outcome);

        await().atMost(Duration.ofSeconds(30)).until(() -> TestSmtp.messagesTo(requester).size() == 1
                && TestSmtp.messagesTo(account + "@tenant.example").size() == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> TestSmtp.messagesTo(requester).size() == 1);
        MimeMessage theirs = TestSmtp.messagesTo(requester).getFirst();
        assertThat(theirs.getSubject()).isEqualTo("Copia de seguridad completada — Tenant " + account);
        assertThat(theirs.getAllRecipients()).extracting(Object::toString).containsExactly(requester);
        assertThat(theirs.getMessageID()).isEqualTo("<" + outcome.backupId() + ".completed.requester@backuprelay>");
        MimeMessage admins = TestSmtp.messagesTo(account + "@tenant.example").getFirst();
        assertThat(admins.getSubject()).isEqualTo("Database backup completed — Tenant " + account);
        assertThat(admins.getAllRecipients()).extracting(Object::toString).doesNotContain(requester);
    }

    @Test
    void aRequesterWhoIsAlsoASuperadminAndAnExtraRecipientGetsOneEmail() throws Exception {
        String account = register("fr", "Tenant", BackupType.MANUAL);
        String admin = account + "@tenant.example";
        KafkaProbe.send(topics.settings(), account, Json.encode(new BackupSettings(account, BackupType.MANUAL, null,
                List.of(admin.toUpperCase(Locale.ROOT), "extra-" + account + "@else.example"), null, null)));
        BackupCompleted outcome = completed(account, "same.dump.zst", new Requester(admin, "fr"));
        publish(outcome);

        // GreenMail keeps a copy per mailbox: one email is one Message-ID.
        await().atMost(Duration.ofSeconds(30)).until(() -> emailsTo("extra-" + account) == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> emailsTo(admin) == 1);
        MimeMessage email = TestSmtp.messagesTo(admin).getFirst();
        assertThat(email.getSubject()).isEqualTo("Sauvegarde terminée — Tenant " + account);
        assertThat(Arrays.stream(email.getAllRecipients()).map(Object::toString)
                .filter(a -> a.equalsIgnoreCase(admin))).hasSize(1);
    }

    /**
     * Before: every recipient, the extra addresses too, got a 7-day link. Now the link goes to the
     * super-administrators only, works a day at most, and is recorded; the others get the news without it.
     */
    @Test
    void theLinkGoesToTheSuperadminsOnlyWorksADayAtMostAndIsRecorded() throws Exception {
        String account = register("en", "Tenant", BackupType.MANUAL);
        String admin = account + "@tenant.example";
        String extra = "extra-" + account + "@else.example";
        KafkaProbe.send(topics.settings(), account, Json.encode(new BackupSettings(account, BackupType.MANUAL, null,
                List.of(extra), null, null)));
        BackupCompleted outcome = completed(account, null);
        container.getBlobClient(outcome.destination().blobName()).upload(BinaryData.fromString("archive of " + account));
        Instant sent = Instant.now();
        publish(outcome);

        await().atMost(Duration.ofSeconds(30)).until(() -> emailsTo(extra) == 1 && emailsTo(admin) == 1);
        String theirs = part(TestSmtp.messagesTo(extra).getFirst(), "text/plain");
        assertThat(theirs).contains(outcome.destination().blobName()).doesNotContain("sig=").doesNotContain("http");
        assertThat(TestSmtp.messagesTo(extra).getFirst().getMessageID())
                .isEqualTo("<" + outcome.backupId() + ".completed.others@backuprelay>");
        assertThat(TestSmtp.messagesTo(extra).getFirst().getAllRecipients()).extracting(Object::toString).containsExactly(extra);
        MimeMessage adminEmail = TestSmtp.messagesTo(admin).getFirst();
        assertThat(adminEmail.getAllRecipients()).extracting(Object::toString).containsExactly(admin);
        String link = part(adminEmail, "text/plain").lines().filter(l -> l.contains("sig=")).findFirst().orElseThrow()
                .replaceAll(".*?(http\\S+).*", "$1");
        Instant expires = Instant.parse(URLDecoder.decode(link.replaceAll(".*[?&]se=([^&]+).*", "$1"),
                StandardCharsets.UTF_8));
        assertThat(expires).isBetween(sent.plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(24)));
        assertThat(part(adminEmail, "text/plain")).contains("Download (valid until");
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.ops()).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .anyMatch(json -> json.contains("LINK_ISSUED") && json.contains(outcome.backupId())
                        && json.contains("1 super-administrator(s)") && !json.contains("sig=")));
    }

    /** A writer to backup.outcomes could name any blob of the container: no link is signed for another account's. */
    @Test
    void anOutcomeNamingABlobThatIsNotWhereItsBackupIsKeptGetsNoLink() throws Exception {
        String account = register("en", "Tenant", BackupType.MANUAL);
        String other = "acct-other";
        String theirs = "backups/" + other + "/2026/11/" + other + "-20261126T091500Z-" + UUID.randomUUID() + ".dump.zst";
        container.getBlobClient(theirs).upload(BinaryData.fromString("another account's archive"));
        publish(completed(account, theirs));

        MimeMessage email = awaitOneEmail(account);

        assertThat(part(email, "text/plain")).contains(theirs).doesNotContain("sig=");
    }

    @Test
    void aHostileAccountNameIsEscapedInTheHtml() throws Exception {
        String account = register("en", "<img src=x onerror=alert(1)>", BackupType.MANUAL);
        publish(completed(account, "x.dump.zst"));

        MimeMessage email = awaitOneEmail(account);

        assertThat(part(email, "text/html")).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;");
    }

    @Test
    void theSameOutcomeDeliveredTwiceIsMailedOnce() throws Exception {
        String account = register("en", "Twice", BackupType.MANUAL);
        BackupCompleted outcome = completed(account, "twice.dump.zst");
        publish(outcome);
        awaitOneEmail(account);

        publish(outcome);
        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaProbe.records(topics.outcomes()).stream()
                .filter(r -> account.equals(r.key())).count() == 2);

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> TestSmtp.messagesTo(account).size() == 1);
        assertThat(TestSmtp.messagesTo(account).getFirst().getMessageID())
                .isEqualTo("<" + outcome.backupId() + ".completed@backuprelay>");
    }

    @Test
    void anSmtpServerThatIsDownForAWhileGetsTheEmailOnceItIsBack() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Topics own = new Topics(TestKafka.uniquePrefix());
        KafkaSettings ownKafka = new KafkaSettings(TestKafka.bootstrapServers(), own);
        TopicProvisioner.ensureTopics(ownKafka, 1, (short) 1);
        GreenMail late = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        SmtpMailSender smtp = new SmtpMailSender(smtp(port));
        AtomicInteger tries = new AtomicInteger();
        MailSender counting = email -> {
            tries.incrementAndGet();
            return smtp.send(email);
        };
        try (NotifierWorker worker = new NotifierWorker(ownKafka, counting, QUICK_RETRIES, SEALER, Clock.systemUTC()).start()) {
            KafkaProbe.send(own.accounts(), "late", Json.encode(account("late", "en", "Late Ltd")));
            KafkaProbe.send(own.outcomes(), "late", Json.encode(completed("late", "late.dump.zst")));

            // The SMTP server stays away while the notifier tries three times.
            await().atMost(Duration.ofSeconds(30)).until(() -> tries.get() >= 3);
            assertThat(worker.jobs().committedJobs()).as("nothing sent, nothing committed yet").isZero();
            late.start();

            await().atMost(Duration.ofSeconds(30)).until(() -> late.getReceivedMessages().length == 1);
            assertThat(late.getReceivedMessages()[0].getSubject()).isEqualTo("Database backup completed — Late Ltd");
            assertThat(KafkaProbe.records(own.deadLetters())).isEmpty();
        } finally {
            late.stop();
        }
    }

    // ---- fixture ----

    private static MailSettings smtp(int port) {
        return new MailSettings(Optional.of("127.0.0.1"), port, MailSettings.Security.NONE, null, null,
                "backups@platform.example", Path.of("unused"));
    }

    private static String register(String locale, String name, BackupType type) {
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaProbe.send(topics.accounts(), account, Json.encode(account(account, locale, name + " " + account)));
        Connection connection = new Connection(account, "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "backups",
                SEALER.seal(Azurite.ACCOUNT_KEY, SecretContext.accessKey(account, "main",
                        Azurite.blobEndpoint(), Azurite.ACCOUNT_NAME, container.getBlobContainerName())), true, Azurite.blobEndpoint(),
                        null, null, null, null);
        KafkaProbe.send(topics.connections(), connection.key(), Json.encode(connection));
        KafkaProbe.send(topics.settings(), account, Json.encode(new BackupSettings(account, type,
                type == BackupType.MANUAL ? null : "main", null, null, null)));
        return account;
    }

    private static Account account(String accountId, String locale, String name) {
        return new Account(accountId, name, locale, "Europe/Madrid", List.of(accountId + "@tenant.example"),
                new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app", "app", null));
    }

    private static BackupCompleted completed(String account, String blobName) {
        return completed(account, blobName, null);
    }

    /** @param blobName the blob it names; null: where the upload worker would have put it */
    private static BackupCompleted completed(String account, String blobName, Requester requester) {
        String backupId = UUID.randomUUID().toString();
        if (blobName == null) {
            blobName = "backups/" + account + "/2026/11/" + account + "-20261126T091500Z-" + backupId + ".dump.zst";
        }
        return new BackupCompleted(1, UUID.randomUUID().toString(), backupId, account, ENDED,
                Trigger.MANUAL, new BlobLocation(Azurite.ACCOUNT_NAME, container.getBlobContainerName(), blobName,
                "http://unused"), 12_345_678L, "f00d", Engine.POSTGRESQL, ENDED.minusSeconds(100), ENDED, List.of(), "main",
                List.of(), requester, null, null);
    }

    private static void publish(BackupEvent event) {
        publish(event, null);
    }

    /** As the pipeline would: the scheduler records an outcome (with what comes next) as the notifier reads it. */
    private static void publish(BackupEvent event, Instant next) {
        if (event instanceof BackupOutcome outcome) {
            var summary = new BackupStatus.OutcomeSummary(outcome.backupId(),
                    outcome instanceof BackupCompleted, outcome.trigger(), outcome.occurredAt(), null, null, null, null,
                    null, null, null, null);
            KafkaProbe.send(topics.status(), event.accountId(), Json.encode(new BackupStatus(
                    event.accountId(), null, null, summary, null, List.of(summary), BackupType.EVERY_7_DAYS,
                    ScheduleState.SCHEDULED, next, 0, null)));
        }
        KafkaProbe.send(topics.outcomes(), event.accountId(), Json.encode(event));
    }

    private static long emailsTo(String address) {
        return TestSmtp.messagesTo(address).stream().map(m -> {
            try {
                return m.getMessageID();
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).distinct().count();
    }

    private static MimeMessage awaitOneEmail(String account) {
        await().atMost(Duration.ofSeconds(30)).until(() -> TestSmtp.messagesTo(account).size() == 1);
        return TestSmtp.messagesTo(account).getFirst();
    }

    private static String part(MimeMessage message, String type) {
        return TestSmtp.part(message, type);
    }
}
