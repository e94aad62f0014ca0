package io.backuprelay.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.chaos.Audit.Fate;
import io.backuprelay.chaos.Audit.Source;
import io.backuprelay.chaos.Verdict.Kind;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.standalone.Standalone;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.testkit.S3Mock;
import software.amazon.awssdk.core.sync.RequestBody;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos audit can fail: a small world of real backups (the standalone stack on the test broker,
 * Azurite, the SMTP server, a PostgreSQL and a MariaDB source written to while they are backed up)
 * passes the audit, and each defect planted in it, one at a time, is reported under its own kind
 * and makes the exit code non-zero.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditFindsPlantedDefectsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Verdict.Limits LIMITS = new Verdict.Limits(0.9, 4, 1.0, 0.01);

    @TempDir
    static Path dataDir;

    private static KafkaSettings kafka;
    private static ChaosCopies copies;
    private static Path staging;
    private static BlobContainerClient container;
    private static final Map<String, Source> sources = new LinkedHashMap<>();
    private static final Map<String, String> asked = new LinkedHashMap<>();
    private static Map<String, Fate> fates;
    private static List<MimeMessage> mails;

    @BeforeAll
    static void backUpAWorldThatIsWrittenTo() throws Exception {
        String prefix = TestKafka.uniquePrefix();
        String jwtSecret = "audit-" + UUID.randomUUID();
        staging = Files.createDirectories(dataDir.resolve("staging"));
        URI azurite = URI.create(Azurite.blobEndpoint());
        Map<String, String> settings = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(), "BACKUPRELAY_TOPIC_PREFIX", prefix,
                "BACKUPRELAY_TOPIC_PARTITIONS", "3", "SERVICE_PORT", "0", "BACKUPRELAY_DATA_DIR", dataDir.toString(),
                "BACKUPRELAY_STAGING_DIR", staging.toString(), "BACKUPRELAY_MASTER_KEY", SecretSealer.newBase64Key(),
                "SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(TestSmtp.port()), "SMTP_SECURITY", "NONE"));
        settings.put("CONSOLE_JWT_SECRET", jwtSecret);
        settings.put("CONSOLE_PORT", "0");
        settings.put("BACKUPRELAY_ALLOWED_ENDPOINTS", azurite.getScheme() + "://" + azurite.getAuthority());
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("audit-" + prefix.replaceAll("[^a-z0-9]", ""));
        Random random = new Random(7);
        // The emulator also needs no grant here, as when the tests' origins were a system property of this JVM.
        copies = new ChaosCopies(7);
        try (Standalone app = Standalone.startWithEndpoints(new ConfigSource(settings),
                policy -> policy.alsoAllowing(Azurite.origin()).alsoAllowing(S3Mock.origin()))) {
            kafka = app.kafka();
            TokenMinter minter = new TokenMinter(jwtSecret.getBytes(StandardCharsets.UTF_8), null);
            String base = "http://127.0.0.1:" + app.consolePort();
            String operator = minter.mint("ops", null, null, Role.OPERATOR, Duration.ofHours(1));
            for (boolean mariadb : List.of(false, true)) {
                ScratchDatabase database = mariadb ? ScratchDatabase.mariadb() : ScratchDatabase.postgres();
                String account = "Audit " + (mariadb ? "Müller" : "O'Brien") + " " + UUID.randomUUID().toString().substring(0, 6);
                String accountId = account.toLowerCase().replaceAll("[^a-z0-9]+", "-");
                SourceWriter writer = new SourceWriter(database, mariadb, 500, random, Clock.systemUTC()).create();
                sources.put(accountId, new Source(accountId, writer));
                call("PUT", base + "/api/operator/accounts/" + accountId, operator, """
                        {"displayName":"%s","locale":"en","timeZone":"UTC","superadminEmails":["%s@audit.example"],
                         "source":{"engine":"%s","host":"127.0.0.1","port":%d,"database":"%s","username":"%s"},
                         "storageOrigins":["%s"]}
                        """.formatted(account.replace("'", "\\u0027"), accountId, mariadb ? "MARIADB" : "POSTGRESQL",
                        database.port(), database.name(), database.adminUser(), settings.get("BACKUPRELAY_ALLOWED_ENDPOINTS")));
                String admin = minter.mint("admin", accountId + "@audit.example", accountId, Role.SUPERADMIN, Duration.ofHours(1));
                String connection = Json.mapper().readTree(call("POST", base + "/api/accounts/" + accountId + "/connections",
                        admin, """
                        {"type":"AZURE_BLOB","storageAccountName":"%s","containerName":"%s","accessKey":"%s",
                         "enabledForAutomaticBackup":true,"endpoint":"%s","path":"audit"}
                        """.formatted(Azurite.ACCOUNT_NAME, container.getBlobContainerName(), Azurite.ACCOUNT_KEY,
                        Azurite.blobEndpoint()))).get("connectionId").asText();
                copies.register(base, accountId, admin);
                call("PUT", base + "/api/accounts/" + accountId + "/backup-settings", admin,
                        copies.settings(accountId, "MANUAL", connection));
                try (Connection writing = database.connect()) {
                    for (int backup = 0; backup < 2; backup++) {
                        for (int i = 0; i < 30; i++) {
                            writer.writeOne(writing);
                        }
                        // The console says 409 until the scheduler has recorded the previous one's end.
                        String body = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> call("POST",
                                base + "/api/accounts/" + accountId + "/backups", admin, null), answer -> answer != null);
                        String backupId = Json.mapper().readTree(body).get("backupId").asText();
                        asked.put(backupId, accountId);
                        Audit audit = new Audit(kafka);
                        await().atMost(Duration.ofSeconds(90)).until(() -> audit.fates(asked).get(backupId).settled());
                        await().atMost(Duration.ofSeconds(90)).until(() -> CopyAudit.outcomes(audit, kafka.topics())
                                .containsKey(backupId));
                    }
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> Audit.received(List.of()).kinds().keySet().containsAll(asked.keySet()));
        }
        fates = new Audit(kafka).fates(asked);
        mails = List.of(TestSmtp.server().getReceivedMessages());
    }

    @AfterAll
    static void dropSources() {
        sources.values().forEach(source -> source.database().close());
    }

    /** The evidence of the world as it stands, with the given emails and the harness's own records. */
    private static Verdict.Evidence evidence(Map<String, String> requests, List<MimeMessage> received, List<String> poison,
                                             List<String> exits, Map<String, Integer> twoDumps,
                                             List<Verdict.Refusal> refusals) throws Exception {
        return evidence(requests, received, poison, exits, twoDumps, refusals, List.of());
    }

    private static Verdict.Evidence evidence(Map<String, String> requests, List<MimeMessage> received, List<String> poison,
                                             List<String> exits, Map<String, Integer> twoDumps,
                                             List<Verdict.Refusal> refusals, List<FaultWindow> faults) throws Exception {
        Audit audit = new Audit(kafka);
        Map<String, Fate> now = audit.fates(requests);
        List<String> leftovers = Audit.files(staging, List.of()).stream().map(f -> "left in staging: " + f).toList();
        return new Verdict.Evidence(now, Audit.stored(container, now), Audit.blobs(container, now),
                Audit.restoreSample(container, now, sources, LIMITS.restoresFor(4), List.of()), Audit.emails(received), poison,
                audit.deadLetterKeys(), exits, twoDumps, leftovers, refusals, faults, List.of(),
                CopyAudit.check(copies.store(), now, CopyAudit.outcomes(audit, kafka.topics())));
    }

    private static Verdict judge(Verdict.Evidence evidence) {
        return Verdict.judge(evidence, LIMITS);
    }

    private static Verdict clean() throws Exception {
        return judge(evidence(asked, mails, List.of(), List.of(), Map.of(), List.of()));
    }

    private static BackupCompleted completed(int index) {
        return fates.values().stream().map(f -> f.completion().orElseThrow()).toList().get(index);
    }

    @Test
    @Order(1)
    void theWorldAsBackedUpPassesWithFourRestoresComparedInFull() throws Exception {
        Verdict.Evidence evidence = evidence(asked, mails, List.of(), List.of(), Map.of(), List.of());
        Verdict verdict = judge(evidence);

        assertThat(verdict.findings()).isEmpty();
        assertThat(verdict.exitCode()).isZero();
        assertThat(fates.values()).hasSize(4).allMatch(f -> f.last() instanceof BackupCompleted);
        assertThat(evidence.restores()).hasSize(4).allMatch(Audit.Restore::equal)
                .extracting(Audit.Restore::engine).containsOnly(Engine.POSTGRESQL, Engine.MARIADB);
        assertThat(evidence.restores()).allSatisfy(r -> assertThat(r.detail()).contains("rows after"));
    }

    @Test
    @Order(2)
    void aBackupAskedForThatNeverSettledIsLost() throws Exception {
        Map<String, String> withOneMore = new LinkedHashMap<>(asked);
        withOneMore.put("never-answered-" + UUID.randomUUID(), asked.values().iterator().next());

        assertFound(judge(evidence(withOneMore, mails, List.of(), List.of(), Map.of(), List.of())), Kind.LOST);
    }

    @Test
    @Order(3)
    void aDroppedEmailIsFound() throws Exception {
        List<MimeMessage> oneDropped = new ArrayList<>(mails);
        oneDropped.removeIf(m -> {
            try {
                return m.getMessageID().contains(completed(0).backupId());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        assertFound(judge(evidence(asked, oneDropped, List.of(), List.of(), Map.of(), List.of())), Kind.NO_EMAIL);
    }

    @Test
    @Order(4)
    void anEmailSentTwiceBeyondTheAllowedShareIsFound() throws Exception {
        List<MimeMessage> twice = new ArrayList<>(mails);
        twice.add(mails.getFirst());

        assertFound(judge(evidence(asked, twice, List.of(), List.of(), Map.of(), List.of())), Kind.DUPLICATE_EMAILS);
        Instant arrived = mails.getFirst().getReceivedDate().toInstant();
        List<FaultWindow> notifierKilledMeanwhile = List.of(new FaultWindow("kill notifier", arrived, arrived.plusSeconds(3)));
        assertThat(judge(evidence(asked, twice, List.of(), List.of(), Map.of(), List.of(), notifierKilledMeanwhile))
                .findings()).as("the notifier killed just after the server took the message: SMTP leaves it in doubt")
                .isEmpty();
        Verdict.Evidence held = evidence(asked, twice, List.of(), List.of(), Map.of(), List.of());
        Audit.Emails emails = held.emails();
        Verdict.Evidence answerLost = new Verdict.Evidence(held.fates(), held.stored(), held.blobs(), held.restores(),
                new Audit.Emails(emails.messages(), emails.duplicated(), emails.kinds(),
                        List.of(mails.getFirst().getMessageID())), held.poisonOnJobTopics(), held.deadLetterKeys(),
                held.unexpectedExits(), held.twoDumpsAtOnce(), held.leftovers(), held.refusals(), held.faults(),
                held.harnessProblems(), List.of());
        assertThat(judge(answerLost).findings()).as("the server's answer held back and cut: SMTP leaves it in doubt")
                .isEmpty();
        List<MimeMessage> thrice = new ArrayList<>(twice);
        thrice.add(mails.getFirst());
        Verdict.Evidence threeCopies = evidence(asked, thrice, List.of(), List.of(), Map.of(), List.of());
        Audit.Emails three = threeCopies.emails();
        assertFound(judge(new Verdict.Evidence(threeCopies.fates(), threeCopies.stored(), threeCopies.blobs(),
                threeCopies.restores(), new Audit.Emails(three.messages(), three.duplicated(), three.kinds(),
                List.of(mails.getFirst().getMessageID())), threeCopies.poisonOnJobTopics(), threeCopies.deadLetterKeys(),
                threeCopies.unexpectedExits(), threeCopies.twoDumpsAtOnce(), threeCopies.leftovers(), threeCopies.refusals(),
                threeCopies.faults(), threeCopies.harnessProblems(), List.of())), Kind.DUPLICATE_EMAILS); // one lost answer explains one copy
        List<FaultWindow> brokerFrozenMeanwhile = List.of(new FaultWindow("freeze broker", arrived, arrived.plusSeconds(10)));
        assertFound(judge(evidence(asked, twice, List.of(), List.of(), Map.of(), List.of(), brokerFrozenMeanwhile)),
                Kind.DUPLICATE_EMAILS);
    }

    @Test
    @Order(5)
    void aBlobDeletedAfterCompletionIsFound() throws Exception {
        var blob = container.getBlobClient(completed(1).destination().blobName());
        BinaryData content = blob.downloadContent();
        Map<String, String> metadata = blob.getProperties().getMetadata();
        blob.delete();
        try {
            assertFound(clean(), Kind.BLOB_MISSING, Kind.RESTORE_DIFFERS);
        } finally {
            blob.upload(content);
            blob.setMetadata(metadata);
        }
        assertThat(clean().findings()).isEmpty();
    }

    @Test
    @Order(6)
    void aBlobAlteredAfterCompletionIsFound() throws Exception {
        var blob = container.getBlobClient(completed(2).destination().blobName());
        BinaryData content = blob.downloadContent();
        Map<String, String> metadata = blob.getProperties().getMetadata();
        byte[] altered = content.toBytes().clone();
        altered[altered.length / 2] ^= 1;
        blob.upload(BinaryData.fromBytes(altered), true);
        blob.setMetadata(metadata);
        try {
            Verdict verdict = clean();
            assertFound(verdict, Kind.CORRUPT, Kind.RESTORE_DIFFERS);
            assertThat(verdict.counts()).containsEntry(Kind.CORRUPT, 1);
        } finally {
            blob.upload(content, true);
            blob.setMetadata(metadata);
        }
        assertThat(clean().findings()).isEmpty();
    }

    @Test
    @Order(7)
    void aSecondBlobOfOneBackupIsFound() throws Exception {
        BackupCompleted done = completed(3);
        var original = container.getBlobClient(done.destination().blobName());
        var copy = container.getBlobClient(done.destination().blobName() + ".copy");
        copy.upload(original.downloadContent());
        copy.setMetadata(original.getProperties().getMetadata());
        try {
            Verdict verdict = clean();
            assertFound(verdict, Kind.TWO_BLOBS, Kind.CORRUPT);
            assertThat(verdict.counts()).containsEntry(Kind.TWO_BLOBS, 1).containsEntry(Kind.CORRUPT, 1);
        } finally {
            copy.delete();
        }
    }

    @Test
    @Order(8)
    void aPoisonRecordThatNeverReachedTheDeadLetterTopicIsFound() throws Exception {
        assertFound(judge(evidence(asked, mails, List.of("poison-skipped"), List.of(), Map.of(), List.of())),
                Kind.POISON_NOT_DEAD_LETTERED);
    }

    @Test
    @Order(9)
    void aServiceThatExitedByItselfIsFound() throws Exception {
        assertFound(judge(evidence(asked, mails, List.of(), List.of("notifier exited by itself with code 1"), Map.of(),
                List.of())), Kind.SERVICE_EXITED);
    }

    @Test
    @Order(10)
    void twoDumpSessionsAtOnceAreFound() throws Exception {
        assertFound(judge(evidence(asked, mails, List.of(), List.of(), Map.of("br_scratch_x", 2), List.of())),
                Kind.TWO_DUMPS_AT_ONCE);
    }

    @Test
    @Order(11)
    void aFileLeftInStagingIsFound() throws Exception {
        Path left = Files.writeString(staging.resolve("acct.abandoned.archive"), "x");
        try {
            assertFound(clean(), Kind.LEFTOVER);
        } finally {
            Files.delete(left);
        }
    }

    @Test
    @Order(12)
    void aRefusalNoFaultExplainsIsFoundAndOneAFaultExplainsIsNot() throws Exception {
        Instant at = Instant.now();
        Verdict.Refusal serverError = new Verdict.Refusal(at, 500, "Internal Server Error");

        assertFound(judge(evidence(asked, mails, List.of(), List.of(), Map.of(), List.of(serverError))),
                Kind.UNEXPLAINED_REFUSAL);
        assertThat(Verdict.explain(serverError, List.of(new FaultWindow("SIGKILL console", at.minusSeconds(3), at))))
                .isEqualTo("during SIGKILL console");
        assertThat(Verdict.explain(new Verdict.Refusal(at, 409, "running"), List.of())).isNotNull();
    }

    @Test
    @Order(13)
    void aRestoreMissingOneRowOrHoldingAnotherMomentIsFound() throws Exception {
        BackupCompleted done = completed(0);
        Source source = sources.get(done.accountId());
        try (ScratchDatabase scratch = ScratchDatabase.postgres()) {
            Audit.restoreInto(container, done, scratch);
            try (Connection connection = scratch.connect()) {
                assertThat(Audit.compare(done, source.writer(), SourceWriter.read(connection), false).equal()).isTrue();
                scratch.execute("DELETE FROM item WHERE id = (SELECT min(id) FROM item)");
                assertThat(Audit.compare(done, source.writer(), SourceWriter.read(connection), false).equal()).isFalse();
                scratch.execute("UPDATE writer_state SET seq = seq + 1000");
                assertThat(Audit.compare(done, source.writer(), SourceWriter.read(connection), false).detail())
                        .contains("outside the backup's window");
            }
        }
    }

    @Test
    @Order(14)
    void noCompletedBackupAtAllFails() {
        Verdict verdict = Verdict.judge(new Verdict.Evidence(Map.of(), List.of(), new Audit.Blobs(Map.of(), List.of()),
                List.of(), new Audit.Emails(0, List.of(), Map.of(), List.of()), List.of(), List.of(), List.of(), Map.of(), List.of(),
                List.of(), List.of(), List.of(), List.of()), LIMITS);

        assertThat(verdict.counts()).containsEntry(Kind.TOO_FEW_COMPLETED, 1);
        assertThat(verdict.exitCode()).isNotZero();
    }

    @Test
    @Order(15)
    void aCopyDeletedOrRewrittenAtTheCopyDestinationOrGivenUpIsFound() throws Exception {
        BackupCompleted done = completed(2);
        CopyStored copy = (CopyStored) CopyAudit.outcomes(new Audit(kafka), kafka.topics()).get(done.backupId());
        String key = copy.location().blobName();
        String bucket = copy.location().container();
        byte[] original = S3Mock.client().getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray();
        try {
            S3Mock.client().deleteObject(d -> d.bucket(bucket).key(key));
            assertFound(clean(), Kind.COPY_MISSING);
            S3Mock.client().putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString("not the backup"));
            assertFound(clean(), Kind.COPY_MISSING);
        } finally {
            S3Mock.client().putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(original));
        }
        Verdict.Evidence whole = evidence(asked, mails, List.of(), List.of(), Map.of(), List.of());
        List<CopyAudit.Copy> givenUp = whole.copies().stream().map(c -> c.backupId().equals(done.backupId())
                ? new CopyAudit.Copy(c.backupId(), CopyFailed.of(done, copy.connectionId(), 9, "planted", Instant.now(),
                null), false, null, c.expected()) : c).toList();
        assertFound(judge(new Verdict.Evidence(whole.fates(), whole.stored(), whole.blobs(), whole.restores(),
                whole.emails(), whole.poisonOnJobTopics(), whole.deadLetterKeys(), whole.unexpectedExits(),
                whole.twoDumpsAtOnce(), whole.leftovers(), whole.refusals(), whole.faults(), whole.harnessProblems(),
                givenUp)), Kind.COPY_MISSING);
        assertThat(clean().findings()).as("the copy put back").isEmpty();
    }

    /** Last: an outcome on the topic cannot be taken back. */
    @Test
    @Order(100)
    void aFailureReportedAfterACompletionIsASecondOutcome() throws Exception {
        BackupCompleted done = completed(1);
        BackupFailed late = new BackupFailed(BackupFailed.CURRENT_VERSION, UUID.randomUUID().toString(), done.backupId(),
                done.accountId(), Instant.now(), done.trigger(), FailureStage.UPLOAD, "planted", false, null, done.startedAt(), 1,
                null);
        KafkaProbe.send(kafka.topics().outcomes(), done.accountId(), Json.encode(late));

        // It is also the backup's last word: a failure, with no email of its own, below the share of completed ones.
        assertFound(clean(), Kind.TWO_OUTCOMES, Kind.NO_EMAIL, Kind.TOO_FEW_COMPLETED);
    }

    /** The planted defect is found under its kind; nothing else is, but what follows from it. */
    private static void assertFound(Verdict verdict, Kind kind, Kind... consequences) {
        assertThat(verdict.counts().get(kind)).as("findings of " + kind + " in " + verdict.findings()).isPositive();
        Set<Kind> allowed = EnumSet.of(kind, consequences);
        assertThat(verdict.findings()).as("findings").allMatch(f -> allowed.contains(f.kind()));
        assertThat(verdict.exitCode()).isNotZero();
    }

    private static String call(String method, String url, String token, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + url + ": " + response.body()).isBetween(200, 299);
        return response.body();
    }
}
