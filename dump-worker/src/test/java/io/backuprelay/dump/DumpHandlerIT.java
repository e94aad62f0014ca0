package io.backuprelay.dump;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupStarted;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpReady;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.EventPublisher;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.PoisonMessageException;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.database.PgTools;
import io.backuprelay.testkit.ScratchDatabase;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dump step as a job: the events it ends with, the manifest, and what happens when staging is short of space. */
class DumpHandlerIT {

    private static final String AGE_RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

    @TempDir
    Path staging;

    private final Topics topics = new Topics("t.");
    private final SecretSealer sealer = SecretSealer.ofBase64("k1", SecretSealer.newBase64Key());
    private final List<OpsEvent> ops = new CopyOnWriteArrayList<>();
    private ScratchDatabase db;
    private Path tmpfs;

    @BeforeEach
    void database() {
        db = ScratchDatabase.postgres();
        // About 3 MB that compresses poorly: more than the small staging disk below can hold.
        db.execute("CREATE TABLE blob_like (id int PRIMARY KEY, data text)",
                "INSERT INTO blob_like SELECT g, md5(g::text) || md5((g * 31)::text) || md5((g * 17)::text)"
                        + " FROM generate_series(1, 30000) g");
    }

    @AfterEach
    void cleanUp() throws Exception {
        db.close();
        if (tmpfs != null) {
            new ProcessBuilder("umount", tmpfs.toString()).start().waitFor();
        }
    }

    @Test
    void aDumpEndsAsDumpReadyWithAManifestBesideTheArchive() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());

        JobResult result = handler(staging, 0, List.of(AGE_RECIPIENT)).handle(request, context());

        DumpReady ready = Json.decode(result.outputs().getFirst().value(), DumpReady.class);
        assertThat(result.outputs().getFirst().topic()).isEqualTo(topics.dumps());
        assertThat(ready.encryption()).isEqualTo(Encryption.AGE_X25519);
        assertThat(ready.format()).isEqualTo(DumpFormat.PG_DUMP_CUSTOM);
        assertThat(staging.resolve(ready.stagingFile())).hasSize(ready.sizeBytes());
        JsonNode manifest = Json.mapper().readTree(staging.resolve(ready.manifestFile()).toFile());
        assertThat(manifest.get("backupId").asText()).isEqualTo(request.backupId());
        assertThat(manifest.get("sha256").asText()).isEqualTo(ready.sha256());
        assertThat(manifest.get("sizeBytes").asLong()).isEqualTo(ready.sizeBytes());
        assertThat(manifest.get("tableCount").asLong()).isEqualTo(1);
        assertThat(manifest.get("encryptionRecipients").get(0).asText()).isEqualTo(AGE_RECIPIENT);
        assertThat(manifest.get("serverVersion").asText()).startsWith("15.");
        assertThat(manifest.get("toolVersion").asText()).contains("pg_dump");
        assertThat(ops).extracting(OpsEvent::status).startsWith(OpsStatus.STARTED).endsWith(OpsStatus.FINISHED);
    }

    /** Before: only the upload worker checked; the dump worker wrote {backupId}.…archive wherever it pointed. */
    @Test
    void aBackupIdThatCouldNameAPathOutsideStagingIsDeadLettered() {
        BackupRequested good = BackupRequested.manual("acme", "main", "ana", Instant.now());
        for (String hostile : List.of("../../etc/cron.d/x", "/tmp/x", "a/b", "..", "x\ny")) {
            BackupRequested request = new BackupRequested(good.version(), good.eventId(), hostile, good.accountId(),
                    good.occurredAt(), good.trigger(), good.attempt(), good.requestedBy(), good.connectionId(), null, 0, null);
            Assertions.assertThatThrownBy(() -> handler(staging, 0, List.of()).handle(request, context()))
                    .as(hostile).isInstanceOf(PoisonMessageException.class);
        }
        assertThat(staging.getParent().resolve("etc")).doesNotExist();
    }

    /** Before: a registered database or user could carry an option or a connection string into pg_dump. */
    @Test
    void registeredDatabaseSettingsThatCouldCarryAnOptionFailTheBackupWithoutRunningATool() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
        for (SourceDatabase hostile : List.of(
                new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, "host=10.1.2.3 dbname=postgres", "postgres", null),
                new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, db.name(), "--help", null),
                new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, "app", "root\nresult-file=/tmp/x", null),
                new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1 -c", 5432, db.name(), "postgres", null))) {
            JobResult result = handlerFor(hostile).handle(request, context());

            var failed = Json.decode(result.outputs().getFirst().value(), BackupFailed.class);
            assertThat(failed.reason()).as(hostile.toString()).startsWith("The registered database settings of this account"
                    + " are not valid");
            assertThat(ops).extracting(OpsEvent::status).doesNotContain(OpsStatus.STARTED);
        }
        try (var files = Files.list(staging)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void stagingIsPrivateToTheWorkersUser() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());

        DumpReady ready = Json.decode(handler(staging, 0, List.of()).handle(request, context()).outputs().getFirst().value(),
                DumpReady.class);

        assertThat(Files.getPosixFilePermissions(staging))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        for (String file : List.of(ready.stagingFile(), ready.manifestFile())) {
            assertThat(Files.getPosixFilePermissions(staging.resolve(file))).as(file)
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aSecondDumpOfTheSameBackupWritesItsOwnFileAndNeverTouchesTheFirst() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
        DumpHandler handler = handler(staging, 0, List.of());

        DumpReady first = Json.decode(handler.handle(request, context()).outputs().getFirst().value(), DumpReady.class);
        byte[] firstBytes = Files.readAllBytes(staging.resolve(first.stagingFile()));
        DumpReady second = Json.decode(handler.handle(request, context()).outputs().getFirst().value(), DumpReady.class);

        assertThat(second.stagingFile()).isNotEqualTo(first.stagingFile()).startsWith(request.backupId() + ".");
        assertThat(second.manifestFile()).isNotEqualTo(first.manifestFile());
        assertThat(staging.resolve(first.stagingFile())).as("an upload reading the first is undisturbed").hasBinaryContent(firstBytes);
        assertThat(second.slotAt()).isEqualTo(request.slotAt());
    }

    @Test
    void aRequestWhoseBackupAlreadySucceededIsAcknowledgedWithoutADump() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
        var done = new BackupStatus.OutcomeSummary(request.backupId(), true,
                Trigger.MANUAL, request.occurredAt().plusSeconds(300), 10L, "blob", null, null,
                null, null, null, null);
        var status = new BackupStatus("acme", done.endedAt(), request.backupId(), done, null,
                List.of(done), BackupType.MANUAL, null, null, 0, null);
        List<Object> started = new CopyOnWriteArrayList<>();
        DumpHandler handler = handler(staging, 0, List.of(), id -> Optional.of(status),
                (topic, key, value) -> started.add(value));

        JobResult result = handler.handle(request, context());

        assertThat(result.outputs()).as("no DumpReady, no failure: acknowledged").isEmpty();
        assertThat(ops).as("no dump started").isEmpty();
        assertThat(started).isEmpty();
        try (Stream<Path> files = Files.list(staging)) {
            assertThat(files).as("nothing staged").isEmpty();
        }
    }

    @Test
    void aDumpTellsTheSchedulerItStarted() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
        List<Object> started = new CopyOnWriteArrayList<>();

        handler(staging, 0, List.of(), id -> Optional.empty(), (topic, key, value) -> started.add(value))
                .handle(request, context());

        assertThat(started).filteredOn(BackupStarted.class::isInstance).singleElement()
                .isInstanceOfSatisfying(BackupStarted.class, event -> {
                    assertThat(event.backupId()).isEqualTo(request.backupId());
                    assertThat(event.worker()).isEqualTo("dump-test");
                });
    }

    @Test
    void aDumpAnnouncesItsArchiveOnTheDumpsTopicBeforeWritingIt() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
        List<Object> published = new CopyOnWriteArrayList<>();
        List<Boolean> partialExistedWhenAnnounced = new CopyOnWriteArrayList<>();

        JobResult result = handler(staging, 0, List.of(), id -> Optional.empty(), (topic, key, value) -> {
            if (value instanceof DumpStarted announced) {
                assertThat(topic).isEqualTo(topics.dumps());
                assertThat(key).isEqualTo("acme");
                partialExistedWhenAnnounced.add(Files.exists(staging.resolve(announced.partialFile())));
            }
            published.add(value);
        }).handle(request, context());

        DumpReady ready = Json.decode(result.outputs().getFirst().value(), DumpReady.class);
        assertThat(published).filteredOn(DumpStarted.class::isInstance).singleElement()
                .isInstanceOfSatisfying(DumpStarted.class, announced -> {
                    assertThat(announced.backupId()).isEqualTo(request.backupId());
                    assertThat(announced.stagingFile()).as("the name the archive has when whole").isEqualTo(ready.stagingFile());
                    assertThat(announced.partialFile()).startsWith(ready.stagingFile().replace(".archive", ""))
                            .endsWith(".archive.partial");
                    assertThat(List.of(announced.format(), announced.compression(), announced.encryption()))
                            .isEqualTo(List.of(ready.format(), ready.compression(), ready.encryption()));
                    assertThat(announced.slotAt()).isEqualTo(ready.slotAt());
                });
        assertThat(partialExistedWhenAnnounced).as("announced before the tool wrote a byte").containsExactly(false);
    }

    @Test
    void aFullStagingDiskFailsTheBackupInPlainWordsAndLeavesNoFile() throws Exception {
        tmpfs = Files.createDirectories(staging.resolve("small-disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", tmpfs.toString())
                .redirectErrorStream(true).start();
        assertThat(mount.waitFor()).as("mounting a 256 KB tmpfs as staging (the tests run as root)").isZero();
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());

        JobResult result = handler(tmpfs, 0, List.of()).handle(request, context());

        BackupFailed failed = Json.decode(result.outputs().getFirst().value(), BackupFailed.class);
        assertThat(failed.stage()).isEqualTo(FailureStage.DUMP);
        assertThat(failed.reason()).startsWith("The backup worker could not write the archive to its staging area")
                .contains("No space left on device");
        try (Stream<Path> files = Files.list(tmpfs)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aDumpDoesNotStartWithoutTheFreeSpaceItNeeds() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
        long started = System.nanoTime();

        JobResult result = handler(staging, Long.MAX_VALUE / 2, List.of()).handle(request, context());

        BackupFailed failed = Json.decode(result.outputs().getFirst().value(), BackupFailed.class);
        assertThat(failed.reason()).startsWith("The backup worker's staging area has only ").contains(" MB free")
                .contains("it waited " + SPACE_WAIT.toSeconds() + " s for space");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(SPACE_WAIT);
    }

    /** Found by the chaos run (seed 11): a staging area full for a moment failed every backup that started then. */
    @Test
    void aDumpWaitsForStagingSpaceAndGoesOnOnceOtherUploadsFreeIt() throws Exception {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", Instant.now());
        AtomicInteger probes = new AtomicInteger();

        JobResult result = handler(staging, 64L << 20, List.of())
                .withFreeSpace(dir -> probes.incrementAndGet() == 1 ? 1L << 20 : Long.MAX_VALUE)
                .handle(request, context());

        assertThat(result.outputs().getFirst().topic()).isEqualTo(topics.dumps());
        assertThat(probes.get()).isGreaterThanOrEqualTo(2);
        assertThat(ops).anySatisfy(event -> {
            assertThat(event.status()).isEqualTo(OpsStatus.WAITING);
            assertThat(event.detail()).isEqualTo("for free space in staging: 1 MB free, 64 MB needed");
        });
    }

    @Test
    void theSweeperRemovesOnlyFilesOfNoLiveBackup() throws Exception {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        Path abandonedPartial = touch("a.archive.1234.partial", now.minus(Duration.ofHours(2)));
        Path writingPartial = touch("b.archive.5678.partial", now.minusSeconds(30));
        Path abandonedArchive = touch("c.archive", now.minus(Duration.ofDays(3)));
        Path waitingArchive = touch("d.archive", now.minus(Duration.ofHours(5)));

        int removed = new StagingSweeper(staging, Duration.ofHours(48), Clock.fixed(now, ZoneOffset.UTC)).sweep();

        assertThat(removed).isEqualTo(2);
        assertThat(abandonedPartial).doesNotExist();
        assertThat(abandonedArchive).doesNotExist();
        assertThat(writingPartial).exists();
        assertThat(waitingArchive).exists();
    }

    /** Found by the chaos run (seed 12): the archive of a dump whose worker halted before announcing it stayed 48 hours. */
    @Test
    void theSweeperRemovesTheFilesOfABackupThatSucceededWithAnotherDumpOnceTheyAreOldEnough() throws Exception {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        Path supersededArchive = touch("done.aaaa1111.archive", now.minus(Duration.ofMinutes(20)));
        Path supersededManifest = touchManifest("done.aaaa1111.manifest.json", "done", now.minus(Duration.ofMinutes(20)));
        Path recentArchive = touch("done.bbbb2222.archive", now.minus(Duration.ofMinutes(2)));
        Path recentManifest = touchManifest("done.bbbb2222.manifest.json", "done", now.minus(Duration.ofMinutes(2)));
        Path pendingArchive = touch("pending.cccc3333.archive", now.minus(Duration.ofMinutes(20)));
        Path pendingManifest = touchManifest("pending.cccc3333.manifest.json", "pending", now.minus(Duration.ofMinutes(20)));
        // Seed 60: a worker killed between renaming the archive and writing its manifest.
        Path unannounced = touch("done.dddd4444.archive", now.minus(Duration.ofMinutes(20)));
        Path unannouncedPending = touch("pending.eeee5555.archive", now.minus(Duration.ofMinutes(20)));

        int removed = new StagingSweeper(staging, Duration.ofHours(48), Clock.fixed(now, ZoneOffset.UTC),
                (account, backup) -> (account == null || account.equals("acme")) && backup.equals("done"),
                Duration.ofMinutes(10)).sweep();

        assertThat(removed).isEqualTo(3);
        assertThat(unannounced).doesNotExist();
        assertThat(unannouncedPending).exists();
        assertThat(supersededArchive).doesNotExist();
        assertThat(supersededManifest).doesNotExist();
        assertThat(recentArchive).as("younger than the superseded age").exists();
        assertThat(recentManifest).exists();
        assertThat(pendingArchive).as("its backup has not succeeded: an upload may need it").exists();
        assertThat(pendingManifest).exists();
    }

    private Path touchManifest(String name, String backupId, Instant modified) throws Exception {
        Path file = Files.writeString(staging.resolve(name), "{\"backupId\":\"" + backupId + "\",\"accountId\":\"acme\"}");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private Path touch(String name, Instant modified) throws Exception {
        Path file = Files.writeString(staging.resolve(name), "x");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private static final Duration SPACE_WAIT = Duration.ofSeconds(2);

    private DumpHandler handler(Path stagingDir, long minFreeBytes, List<String> recipients) {
        return handler(stagingDir, minFreeBytes, recipients, id -> Optional.empty(),
                EventPublisher.NONE);
    }

    private DumpHandler handlerFor(SourceDatabase source) {
        return handler(staging, 0, List.of(), id -> Optional.empty(), EventPublisher.NONE,
                source);
    }

    private DumpHandler handler(Path stagingDir, long minFreeBytes, List<String> recipients,
                                Function<String, Optional<BackupStatus>> statuses,
                                EventPublisher events) {
        return handler(stagingDir, minFreeBytes, recipients, statuses, events,
                new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, db.name(), "postgres", null));
    }

    private DumpHandler handler(Path stagingDir, long minFreeBytes, List<String> recipients,
                                Function<String, Optional<BackupStatus>> statuses,
                                EventPublisher events, SourceDatabase source) {
        Account account = new Account("acme", "Acme", "en", "UTC", List.of("ana@acme.example"), source);
        BackupSettings settings = new BackupSettings("acme", BackupType.MANUAL, null, null, recipients, null);
        DumpWorkerConfig config = new DumpWorkerConfig(stagingDir, 1, Duration.ofSeconds(5),
                new DumpWorkerConfig.Archive(Compression.ZSTD, 3, 0),
                new DumpWorkerConfig.Space(minFreeBytes, SPACE_WAIT, Duration.ofHours(48), Duration.ofMinutes(10)),
                new DumpWorkerConfig.Patience(Duration.ofMinutes(1), 2, Duration.ofSeconds(5), Duration.ofMinutes(1)),
                SourceTls.SYSTEM_CAS);
        return new DumpHandler(topics, new DumpHandler.Lookups(id -> Optional.of(account), id -> Optional.of(settings),
                statuses, () -> { }),
                new DumpHandler.Tools(Map.of(Engine.POSTGRESQL, new PgDumpRunner(PgTools.debian()),
                        Engine.MARIADB, MariaDbDumpRunner.standard()),
                        sealer, new ArchiveSink(stagingDir, Compression.ZSTD, 3, 0), config),
                ops::add, events, "dump-test", Clock.systemUTC());
    }

    private static JobContext context() {
        return new JobContext("t.backup.requests", 0, 0, "acme", 1);
    }
}
