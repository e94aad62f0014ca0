package io.backuprelay.notify.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.DeadLetters;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.RetryPolicy;
import io.backuprelay.common.kafka.TopicProvisioner;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.hook.HookTargets;
import io.backuprelay.hook.WebhookSigner;
import io.backuprelay.notify.NotifierConfig;
import io.backuprelay.notify.NotifierWorker;
import io.backuprelay.notify.mail.OutboxMailSender;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.LoopbackReceiver;
import io.backuprelay.testkit.TestKafka;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.stream.Stream;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The notifier's channels against the real broker and endpoints on loopback: every webhook delivery verified with
 * the Standard Webhooks reference library, Slack and Teams bodies in their documented shapes, heartbeats, a webhook
 * down for a minute, and a budget spent.
 */
class ChannelsIT {

    private static final SecretSealer SEALER = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private static final String PAGE = "https://platform.example/backups/{accountId}";
    private static final String SECRET = WebhookSigner.newSecret();

    private static LoopbackReceiver receiver;
    private static Instance main;

    /** One notifier on topics of its own. */
    record Instance(Topics topics, NotifierWorker worker, Path outbox) {

        static Instance start(ChannelConfig channels) throws Exception {
            Topics topics = new Topics(TestKafka.uniquePrefix());
            KafkaSettings kafka = new KafkaSettings(TestKafka.bootstrapServers(), topics);
            TopicProvisioner.ensureTopics(kafka, 3, (short) 1);
            NotifierConfig config = new NotifierConfig(new RetryPolicy(3, Duration.ofMillis(200), Duration.ofMillis(500)))
                    .withEndpoints(EndpointPolicy.allowing(receiver.origin())).withChannels(channels);
            Path outbox = Files.createTempDirectory("outbox");
            return new Instance(topics, new NotifierWorker(kafka, new OutboxMailSender(outbox, "backuprelay@localhost"),
                    config, SEALER, Clock.systemUTC()).start(), outbox);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        receiver = new LoopbackReceiver();
        // Tries 1 s, 2 s, 4 s, then every 8 s apart: a receiver back after a minute gets the event within 8 s.
        main = Instance.start(new ChannelConfig(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(10),
                Duration.ofSeconds(5), PAGE));
    }

    @AfterAll
    static void stop() {
        main.worker().close();
        receiver.close();
    }

    @Test
    void eachChannelGetsWhatItsKindAndFilterSayEveryWebhookSignedAndEachChatInTheAccountsLanguage() throws Exception {
        String account = account(main, "Compañía Ñandú " + suffix(), "es");
        channel(main, account, "all", ChannelKind.WEBHOOK, ChannelFilter.ALL, "/" + account.hashCode() + "/webhook");
        channel(main, account, "failures", ChannelKind.WEBHOOK, ChannelFilter.FAILURES, "/" + account.hashCode() + "/failures");
        channel(main, account, "slack", ChannelKind.SLACK, ChannelFilter.ALL, "/" + account.hashCode() + "/slack");
        channel(main, account, "teams", ChannelKind.TEAMS, ChannelFilter.FAILURES_AND_OVERDUE, "/" + account.hashCode() + "/teams");
        channel(main, account, "heartbeat", ChannelKind.HEARTBEAT, ChannelFilter.FAILURES, "/" + account.hashCode() + "/heartbeat");
        String base = "/" + account.hashCode();

        Instant now = Instant.now();
        List<BackupEvent> events = List.of(completed(account, Trigger.SCHEDULED, now), completed(account, Trigger.MANUAL, now),
                failed(account, now), BackupOverdue.of(account, "last-good", BackupType.EVERY_7_DAYS,
                        now.minus(Duration.ofDays(11)), 3, now));
        events.forEach(event -> KafkaProbe.send(main.topics().outcomes(), account, Json.encode(event)));

        // Each event goes to the account's channels one after another, in no set order: wait until every channel
        // has had what it will get, then check nothing more came.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(receiver.at(base + "/webhook")).hasSize(4);
            assertThat(receiver.at(base + "/slack")).hasSize(4);
            assertThat(receiver.at(base + "/teams")).hasSize(2);
            assertThat(receiver.at(base + "/failures")).isNotEmpty();
            assertThat(receiver.at(base + "/heartbeat")).isNotEmpty();
        });
        List<LoopbackReceiver.Received> webhook = receiver.at(base + "/webhook");
        for (LoopbackReceiver.Received delivery : webhook) {
            assertThatCode(() -> new Webhook(SECRET).verify(delivery.body(), delivery.headers()))
                    .as("signature of %s", delivery.body()).doesNotThrowAnyException();
        }
        assertThat(webhook).extracting(d -> json(d).get("type").asText())
                .containsExactly("backup.completed", "backup.completed", "backup.failed", "backup.overdue");
        assertThat(webhook).extracting(d -> json(d).get("data").get("eventId").asText())
                .containsExactlyElementsOf(events.stream().map(BackupEvent::eventId).toList());
        assertThat(json(webhook.get(2)).get("data").get("reason").asText()).contains("password authentication failed");

        assertThat(receiver.at(base + "/failures")).singleElement()
                .satisfies(d -> assertThat(json(d).get("type").asText()).isEqualTo("backup.failed"));
        assertThat(receiver.at(base + "/heartbeat")).singleElement().satisfies(ping -> {
            assertThat(ping.method()).isEqualTo("GET");
            assertThat(ping.body()).isEmpty();
        });

        List<LoopbackReceiver.Received> slack = receiver.at(base + "/slack");
        assertThat(slack).hasSize(4);
        slack.forEach(message -> SlackShape.check(json(message), page(account)));
        JsonNode slackFailure = json(slack.get(2));
        assertThat(slackFailure.get("text").asText()).isEqualTo("La copia de seguridad ha fallado \u2014 Compañía \"Ñandú\" S.A.");
        assertThat(slackFailure.get("blocks").toString()).contains("Paso que falló", "Volcado de la base de datos",
                "password authentication failed", "Qué puede hacer");

        List<LoopbackReceiver.Received> teams = receiver.at(base + "/teams");
        assertThat(teams).hasSize(2);
        teams.forEach(message -> TeamsShape.check(json(message), page(account)));
        JsonNode card = json(teams.getFirst()).get("attachments").get(0).get("content");
        assertThat(card.get("body").get(0).get("text").asText()).contains("Compañía \"Ñandú\" S.A.");
        assertThat(card.get("body").toString()).contains("Paso que falló", "Volcado de la base de datos",
                "password authentication failed", "Qué puede hacer");
    }

    @Test
    void aWebhookThatAnswers500ForAMinuteGetsTheEventAfterItRecoversWithTheSameId() throws Exception {
        String account = account(main, "Ferretería \"El Águila\" " + suffix(), "pt");
        String path = "/" + account.hashCode() + "/flaky";
        AtomicReference<Instant> recovery = new AtomicReference<>();
        receiver.answer(path, () -> {
            recovery.compareAndSet(null, Instant.now().plusSeconds(60));
            return Instant.now().isBefore(recovery.get()) ? 500 : 200;
        });
        channel(main, account, "flaky", ChannelKind.WEBHOOK, ChannelFilter.ALL, path);
        BackupFailed failed = failed(account, Instant.now());
        KafkaProbe.send(main.topics().outcomes(), account, Json.encode(failed));

        await().atMost(Duration.ofSeconds(100)).pollInterval(Duration.ofMillis(500)).until(() ->
                receiver.at(path).stream().anyMatch(d -> d.answered() == 200));
        List<LoopbackReceiver.Received> tries = receiver.at(path);
        LoopbackReceiver.Received taken = tries.stream().filter(d -> d.answered() == 200).findFirst().orElseThrow();
        assertThat(tries.stream().filter(d -> d.answered() == 500).count()).isGreaterThanOrEqualTo(5);
        assertThat(taken.at()).isAfterOrEqualTo(recovery.get()).isBefore(recovery.get().plusSeconds(8 + 5));
        assertThat(tries).extracting(d -> d.header("webhook-id")).containsOnly(tries.getFirst().header("webhook-id"));
        for (LoopbackReceiver.Received attempt : tries) {
            assertThatCode(() -> new Webhook(SECRET).verify(attempt.body(), attempt.headers())).doesNotThrowAnyException();
            assertThat(json(attempt).get("data").get("eventId").asText()).isEqualTo(failed.eventId());
        }
        assertThat(tries).extracting(d -> d.header("webhook-timestamp")).doesNotHaveDuplicates();
        // A delivery taken is not sent again: once the retry worker has handled the channel's last record, nothing
        // of it is pending, and a resend would already have reached the receiver.
        await().atMost(Duration.ofSeconds(30)).until(() -> settled(main, Channel.key(account, "flaky")));
        assertThat(receiver.at(path).stream().filter(d -> d.answered() == 200)).hasSize(1);
    }

    @Test
    void aDeliveryWhoseBudgetIsSpentLandsOnTheDeadLetterTopicNamingTheChannelAndTheLastAnswer() throws Exception {
        Instance quick = Instance.start(new ChannelConfig(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ofSeconds(5), PAGE));
        try {
            String account = account(quick, "Óptica Müller & Hijos " + suffix(), "fr");
            String path = "/" + account.hashCode() + "/dead";
            receiver.answer(path, () -> 500);
            channel(quick, account, "dead", ChannelKind.WEBHOOK, ChannelFilter.ALL, path);
            KafkaProbe.send(quick.topics().outcomes(), account, Json.encode(failed(account, Instant.now())));

            AtomicReference<ConsumerRecord<String, byte[]>> dead = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                KafkaProbe.records(quick.topics().deadLetters()).stream()
                        .filter(r -> Channel.key(account, "dead").equals(r.key())).findFirst().ifPresent(dead::set);
                return dead.get() != null;
            });
            String error = new String(dead.get().headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8);
            assertThat(error).contains("channel dead (WEBHOOK " + receiver.origin() + ")", "last answer: HTTP 500")
                    .doesNotContain(path);
            assertThat(new String(dead.get().headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
                    .isEqualTo(quick.topics().deliveries());
            assertThat(new String(dead.get().value(), StandardCharsets.UTF_8)).doesNotContain(path, SECRET);
            assertThat(receiver.at(path).size()).isGreaterThanOrEqualTo(3);

            // The people whose endpoint it is must act: they are told, in the account's language, once that day.
            MimeMessage mail = await().atMost(Duration.ofSeconds(30)).until(() -> channelFailureMail(quick.outbox()),
                    message -> message != null);
            assertThat(mail.getAllRecipients()).extracting(Object::toString).containsExactly("admin@optique.example");
            assertThat(mail.getSubject()).isEqualTo("Les notifications de sauvegarde n\u2019arrivent pas \u2014 "
                    + "Óptica Müller & Hijos");
        } finally {
            quick.worker().close();
        }
    }

    /**
     * Whether the retry worker's group has committed past the last record of this channel on {@code backup.deliveries}.
     * The offset is read first: a try that sent again would have written its record in the same transaction.
     */
    private static boolean settled(Instance instance, String key) {
        String topic = instance.topics().deliveries();
        String group = instance.topics().prefix() + ChannelConfig.RETRY_GROUP_ID;
        List<ConsumerRecord<String, byte[]>> known = records(topic, key);
        if (known.isEmpty()) {
            return true;
        }
        long committed = KafkaProbe.committedOffset(group, topic, known.getLast().partition()).orElse(-1L);
        return committed > records(topic, key).getLast().offset();
    }

    private static List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
        return KafkaProbe.records(topic).stream().filter(r -> key.equals(r.key())).toList();
    }

    /** The given-up channel's email in the outbox; null while there is none. */
    private static MimeMessage channelFailureMail(Path outbox) throws Exception {
        try (Stream<Path> files = Files.list(outbox)) {
            List<Path> mails = files.filter(f -> f.getFileName().toString().contains("channel-failed")
                    && f.getFileName().toString().endsWith(".eml")).toList();
            assertThat(mails).as("one email per channel and day").hasSizeLessThanOrEqualTo(1);
            if (mails.isEmpty()) {
                return null;
            }
            try (var in = Files.newInputStream(mails.getFirst())) {
                return new MimeMessage(Session.getInstance(new Properties()), in);
            }
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    }

    private static String page(String account) {
        return new ChannelConfig(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), PAGE).pageFor(account).orElseThrow();
    }

    private static String account(Instance instance, String id, String locale) {
        String name = switch (locale) {
            case "es" -> "Compañía \"Ñandú\" S.A.";
            case "pt" -> "Ferretería \"El Águila\" Lda";
            default -> "Óptica Müller & Hijos";
        };
        KafkaProbe.send(instance.topics().accounts(), id, Json.encode(new Account(id, name, locale, "America/Montevideo",
                "fr".equals(locale) ? List.of("admin@optique.example") : List.of(), new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app", "app", null, null, null))));
        return id;
    }

    private static void channel(Instance instance, String account, String id, ChannelKind kind, ChannelFilter filter,
                                String path) {
        String url = receiver.url(path);
        SealedSecret placeholder = new SealedSecret("k1", "eA");
        Channel draft = new Channel(account, id, kind, "", HookTargets.origin(url), placeholder,
                kind == ChannelKind.WEBHOOK ? placeholder : null, filter);
        Channel channel = new Channel(account, id, kind, "Sala de guardia", draft.origin(),
                SEALER.seal(url, draft.urlContext()),
                kind == ChannelKind.WEBHOOK ? SEALER.seal(SECRET, draft.signingSecretContext()) : null, filter);
        KafkaProbe.send(instance.topics().channels(), channel.key(), Json.encode(channel));
    }

    private static BackupCompleted completed(String account, Trigger trigger, Instant at) {
        return new BackupCompleted(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), account, at, trigger,
                new BlobLocation("acmeblobs", "db-backups", "backups/x.dump.zst", "https://acmeblobs.example/x"),
                12_345_678L, "f00d", Engine.POSTGRESQL, at.minusSeconds(100), at, List.of(), null, List.of(), null, null,
                null);
    }

    private static BackupFailed failed(String account, Instant at) {
        return new BackupFailed(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), account, at,
                Trigger.SCHEDULED, FailureStage.DUMP, "the database refused the connection: password authentication failed",
                false, null, at.minusSeconds(30), 1, null);
    }

    private static JsonNode json(LoopbackReceiver.Received received) {
        try {
            return Json.mapper().readTree(received.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + received.body(), e);
        }
    }

    static Map<String, List<String>> headers(LoopbackReceiver.Received received) {
        return received.headers();
    }
}
