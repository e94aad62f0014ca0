package io.backuprelay.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.CopyDestination;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.notify.mail.MailSettings;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The notifier against the real broker and a real SMTP server (GreenMail): what a super-administrator
 * reads about the copies of a backup to its copy destinations, and what they are spared.
 */
class CopyNoticesMailIT {

    /** The description of the copy connection, as the tenant typed it. */
    private static final String OFFSITE = "Oficina Lisboa «offsite» Ñ";
    private static final Instant IMMUTABLE_UNTIL = Instant.parse("2027-03-01T12:00:00Z");

    private static Topics topics;
    private static NotifierWorker notifier;

    @BeforeAll
    static void start() {
        topics = new Topics(TestKafka.uniquePrefix());
        KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
        TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
        MailSettings smtp = new MailSettings(Optional.of("127.0.0.1"), TestSmtp.port(), MailSettings.Security.NONE, null,
                null, "backups@platform.example", Path.of("unused"));
        notifier = new NotifierWorker(kafka, smtp, new NotifierConfig(new RetryPolicy(20, Duration.ofMillis(200),
                Duration.ofMillis(500))), SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()), Clock.systemUTC())
                .start();
    }

    @AfterAll
    static void stop() {
        notifier.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "en|Copies|being copied to|Immutable until|March 1, 2027|1:00:00",
            "es|Réplicas|replicándose en|Inmutable hasta|1 de marzo de 2027|13:00:00",
            "fr|Copies|copie en cours vers|Immuable jusqu'au|1 mars 2027|13:00:00",
            "pt|Réplicas|a ser replicada para|Imutável até|1 de março de 2027|13:00:00"})
    void theCompletionEmailListsTheCopiesThatFollowAndUntilWhenTheBackupIsImmutable(String locale, String label,
            String pending, String immutable, String date, String time) {
        Tenant tenant = Tenant.register(locale);
        publish(tenant.completed(IMMUTABLE_UNTIL));

        MimeMessage email = awaitEmails(tenant.admin(), 1).getFirst();

        String text = part(email, "text/plain");
        assertThat(row(text, label)).contains(pending + " '" + OFFSITE + "', 'vault-2'");
        assertThat(row(text, immutable)).contains(date).contains(time).contains("(Europe/Madrid)");
        assertThat(part(email, "text/html")).contains("&#39;" + OFFSITE + "&#39;, &#39;vault-2&#39;");
    }

    @Test
    void aCompletionEmailWithoutCopiesOrImmutabilitySaysNeither() throws Exception {
        Tenant tenant = Tenant.register("en", List.of());
        publish(tenant.completed(null));

        MimeMessage email = awaitEmails(tenant.admin(), 1).getFirst();

        assertThat(email.getSubject()).isEqualTo("Database backup completed — " + tenant.name());
        assertThat(part(email, "text/plain")).contains("Backup ID").doesNotContain("Copies").doesNotContain("Immutable");
    }

    @Test
    void aGivenUpCopyWarnsTheSuperadminsAndExtraRecipientsOnceEvenWhenDeliveredTwice() throws Exception {
        Tenant tenant = Tenant.register("en");
        String backupId = UUID.randomUUID().toString();
        CopyFailed givenUp = new CopyFailed(1, UUID.randomUUID().toString(), backupId, tenant.account(), Instant.now(),
                "offsite", 5, "The bucket 'acme-offsite' does not exist (404 NoSuchBucket).", false, null);
        publish(givenUp);

        MimeMessage email = awaitEmails(tenant.admin(), 1).getFirst();
        assertThat(emailsTo(tenant.extra())).hasSize(1);
        assertThat(email.getSubject()).isEqualTo("A copy of a backup failed — " + tenant.name());
        assertThat(part(email, "text/plain"))
                .contains("is stored and can be restored from its destination")
                .contains("copy to '" + OFFSITE + "' failed, after 5 attempts")
                .contains("The bucket 'acme-offsite' does not exist (404 NoSuchBucket).")
                .contains("\"Test connection\"").contains(OFFSITE + " (offsite)").contains(backupId);
        assertThat(part(email, "text/html")).contains("The bucket &#39;acme-offsite&#39; does not exist");
        await().atMost(Duration.ofSeconds(10)).until(() -> KafkaProbe.records(topics.ops()).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .anyMatch(json -> json.contains("COPY_FAILED_MAILED") && json.contains(backupId)));

        publish(givenUp); // redelivered, e.g. after a rebalance
        publish(tenant.stored(UUID.randomUUID().toString(), 2)); // then news of another backup: the duplicate was handled before it

        awaitEmails(tenant.admin(), 2);
        // Sent once, to both addresses: one copy in each of the two mailboxes, not two.
        assertThat(TestSmtp.messagesTo(tenant.admin())).extracting(CopyNoticesMailIT::messageId)
                .filteredOn(("<" + backupId + ".copy-failed.offsite@backuprelay>")::equals).hasSize(2);
    }

    @Test
    void aCopyStoredOnlyAfterFailedTriesIsMailedOnceInTheAccountsLanguage() throws Exception {
        Tenant tenant = Tenant.register("pt");
        String backupId = UUID.randomUUID().toString();
        publish(tenant.stored(backupId, 3));

        MimeMessage email = awaitEmails(tenant.admin(), 1).getFirst();

        assertThat(email.getSubject()).isEqualTo("A réplica de uma cópia de segurança foi finalmente guardada — "
                + tenant.name());
        assertThat(part(email, "text/plain")).contains("para '" + OFFSITE + "' está agora guardada e verificada, após 3 tentativas")
                .contains("Imutável até").contains("1 de março de 2027").contains(backupId);
        assertThat(messageId(email)).isEqualTo("<" + backupId + ".copy-stored.offsite@backuprelay>");
    }

    @Test
    void aCopyStoredAtTheFirstTryAndAFailedTryThatWillBeRetriedSendNothing() {
        Tenant tenant = Tenant.register("es");
        String backupId = UUID.randomUUID().toString();
        publish(new CopyFailed(1, UUID.randomUUID().toString(), backupId, tenant.account(), Instant.now(), "offsite", 1,
                "Connection reset by peer", true, Instant.now().plusSeconds(60)));
        publish(tenant.stored(backupId, 1));
        String marker = UUID.randomUUID().toString();
        publish(tenant.stored(marker, 2)); // one partition, in order: once it is mailed, the two before were handled

        List<MimeMessage> emails = awaitEmails(tenant.admin(), 1);

        assertThat(emails).extracting(CopyNoticesMailIT::messageId)
                .containsExactly("<" + marker + ".copy-stored.offsite@backuprelay>");
    }

    // ---- fixture ----

    /**
     * An account whose name has spaces, quotes and non-ASCII letters, copying its backups to a described
     * connection ('offsite') and to one whose connection is not (or no longer) registered ('vault-2').
     */
    private record Tenant(String account, String name, String admin, String extra) {

        static Tenant register(String locale) {
            return register(locale, List.of(new CopyDestination("offsite", null), new CopyDestination("vault-2", null)));
        }

        static Tenant register(String locale, List<CopyDestination> copies) {
            String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
            Tenant tenant = new Tenant(account, "Ñandú \"Cópias\" O'Brien " + account, "Ana.Pérez+" + account
                    + "@tenant.example", "extra-" + account + "@else.example");
            KafkaProbe.send(topics.accounts(), account, Json.encode(new Account(account, tenant.name(), locale,
                    "Europe/Madrid", List.of(tenant.admin()), new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app",
                    "app", null))));
            Connection offsite = new Connection(account, "offsite", ConnectionType.AZURE_BLOB, OFFSITE, "lisboablobs",
                    "copies", "", new SealedSecret("k1", "c2VjcmV0"), false, null, null, null, null, null);
            KafkaProbe.send(topics.connections(), offsite.key(), Json.encode(offsite));
            KafkaProbe.send(topics.settings(), account, Json.encode(new BackupSettings(account, BackupType.EVERY_7_DAYS,
                    "main", List.of(tenant.extra()), null, null, null, copies, null)));
            return tenant;
        }

        BackupCompleted completed(Instant immutableUntil) {
            Instant ended = Instant.now();
            return new BackupCompleted(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), account, ended,
                    Trigger.SCHEDULED, new BlobLocation("acmeblobs", "db-backups", "backups/" + account + ".dump.zst",
                    "http://unused"), 12_345_678L, "f00d", Engine.POSTGRESQL, ended.minusSeconds(100), ended, List.of(),
                    "main", List.of(), null, null, immutableUntil);
        }

        CopyStored stored(String backupId, int attempt) {
            return new CopyStored(1, UUID.randomUUID().toString(), backupId, account, Instant.now(), "offsite", attempt,
                    new BlobLocation("lisboablobs", "copies", "backups/" + backupId + ".dump.zst", "http://unused"),
                    12_345_678L, "f00d", IMMUTABLE_UNTIL, false, List.of("READ_BACK_SHA256"));
        }
    }

    /** As the pipeline would: the scheduler records a completed backup as the notifier reads it. */
    private static void publish(BackupEvent event) {
        if (event instanceof BackupCompleted completed) {
            var summary = BackupStatus.OutcomeSummary.success(completed.backupId(), completed.trigger(),
                    completed.occurredAt(), null, null, null);
            KafkaProbe.send(topics.status(), event.accountId(), Json.encode(new BackupStatus(event.accountId(), null,
                    null, summary, null, List.of(summary), BackupType.EVERY_7_DAYS, ScheduleState.SCHEDULED, null, 0,
                    null)));
        }
        KafkaProbe.send(topics.outcomes(), event.accountId(), Json.encode(event));
    }

    /** The emails to {@code address}, each once (GreenMail keeps a copy per mailbox: one email is one Message-ID). */
    private static List<MimeMessage> emailsTo(String address) {
        Map<String, MimeMessage> byId = new LinkedHashMap<>();
        TestSmtp.messagesTo(address).forEach(m -> byId.putIfAbsent(messageId(m), m));
        return List.copyOf(byId.values());
    }

    private static List<MimeMessage> awaitEmails(String address, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> emailsTo(address).size() >= count);
        return emailsTo(address);
    }

    private static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of the row {@code label} of a plain-text email. */
    private static String row(String text, String label) {
        return text.lines().filter(line -> line.startsWith(label + ":")).findFirst().orElseThrow();
    }

    private static String part(MimeMessage message, String type) {
        return TestSmtp.part(message, type);
    }
}
