package io.backuprelay.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.CopyDestination;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.CopyStored;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.EventPublisher;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.ops.OpsPublisher;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.blob.BlobNames;
import io.backuprelay.format.manifest.ManifestNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The copy step's rules, on stores in memory and a clock that moves only when the handler waits. What runs
 * against real services (Azurite, S3Mock, the broker) is in {@code CopierIT}.
 */
class CopyHandlerTest {

    private static final String ACCOUNT = "Ünïcode \"Acme\" Corp";
    private static final Topics TOPICS = new Topics("copy-test.");

    private final MovingClock clock = new MovingClock(Instant.parse("2026-03-29T00:30:00Z"));
    private final MemoryStore destination = new MemoryStore(clock);
    private final MemoryStore offsite = new MemoryStore(clock);
    private final List<Object> publishedAtOnce = new ArrayList<>();
    private final Map<String, Connection> connections = new HashMap<>();
    private BackupSettings settings;
    private BackupStatus status;
    private Duration budget = Duration.ofHours(6);

    private final Connection main = azure("main", "backups");
    private Connection copy = s3("offsite", "Copies Ü", null);

    @Test
    void eachStoredBackupIsCopiedWithItsManifestUnderTheCopyDestinationsFolderAndVerified() throws Exception {
        copyTo(new CopyDestination("offsite", null));
        BackupCompleted backup = stored("first backup", clock.instant());

        List<BackupEvent> outcomes = handle(backup);

        CopyStored stored = (CopyStored) outcomes.getFirst();
        String expected = BlobNames.accountFolder("Copies Ü", ACCOUNT)
                + backup.destination().blobName().substring(BlobNames.accountFolder("backups", ACCOUNT).length());
        assertThat(stored.location().blobName()).isEqualTo(expected);
        assertThat(stored.sha256()).isEqualTo(backup.sha256());
        assertThat(stored.attempt()).isEqualTo(1);
        assertThat(stored.checks()).contains("READ_BACK_SHA256");
        assertThat(offsite.blobs.get(expected).bytes()).isEqualTo(destination.blobs.get(backup.destination().blobName()).bytes());
        assertThat(offsite.blobs).containsKey(ManifestNames.ofBlob(expected));
        assertThat(publishedAtOnce).isEmpty();
    }

    @Test
    void aCopyDestinationThatIsDownIsTriedAgainWithGrowingWaitsAndTheCopyArrivesWhenItIsBack() throws Exception {
        copyTo(new CopyDestination("offsite", null));
        BackupCompleted backup = stored("during the outage", clock.instant());
        offsite.down = true;
        Instant outageEnds = clock.instant().plus(Duration.ofMinutes(10));
        clock.onSleep = () -> offsite.down = clock.instant().isBefore(outageEnds);

        List<BackupEvent> outcomes = handle(backup);

        CopyStored stored = (CopyStored) outcomes.getFirst();
        assertThat(stored.attempt()).isGreaterThan(1);
        assertThat(stored.occurredAt()).isAfterOrEqualTo(outageEnds);
        assertThat(publishedAtOnce).hasSize(stored.attempt() - 1).allSatisfy(event -> {
            CopyFailed failed = (CopyFailed) event;
            assertThat(failed.willRetry()).isTrue();
            assertThat(failed.nextAttemptAt()).isAfter(failed.occurredAt());
        });
        assertThat(clock.sleeps).as("waits double from 10 s up to 5 min").startsWith(Duration.ofSeconds(10),
                Duration.ofSeconds(20), Duration.ofSeconds(40)).allMatch(d -> d.compareTo(Duration.ofMinutes(5)) <= 0);
    }

    @Test
    void aCopyThatStaysFailedIsGivenUpWhenItsBudgetIsSpentAndTheBackupIsUntouched() throws Exception {
        budget = Duration.ofMinutes(30);
        copyTo(new CopyDestination("offsite", null));
        BackupCompleted backup = stored("never copied", clock.instant());
        offsite.down = true;

        List<BackupEvent> outcomes = handle(backup);

        CopyFailed failed = (CopyFailed) outcomes.getFirst();
        assertThat(failed.willRetry()).isFalse();
        assertThat(failed.nextAttemptAt()).isNull();
        assertThat(failed.reason()).contains("the bucket 'acme-offsite'").contains("could not be reached");
        assertThat(clock.instant()).isBefore(backup.endedAt().plus(budget));
        assertThat(destination.blobs).containsKey(backup.destination().blobName());
    }

    @Test
    void aCopyWhoseBytesDoNotHashToTheBackupIsGivenUpAtOnce() throws Exception {
        copyTo(new CopyDestination("offsite", null));
        BackupCompleted backup = stored("corrupted on the way", clock.instant());
        offsite.corruptOnArrival = true;

        CopyFailed failed = (CopyFailed) handle(backup).getFirst();

        assertThat(failed.willRetry()).isFalse();
        assertThat(failed.attempt()).isEqualTo(1);
        assertThat(offsite.blobs).isEmpty();
    }

    @Test
    void aBlobRewrittenAtTheDestinationIsNotCopiedAsTheBackup() throws Exception {
        copyTo(new CopyDestination("offsite", null));
        BackupCompleted backup = stored("rewritten by the tenant", clock.instant());
        var original = destination.blobs.get(backup.destination().blobName());
        destination.blobs.put(backup.destination().blobName(), new MemoryStore.Blob(
                "not the backup".getBytes(StandardCharsets.UTF_8), original.metadata(), null));

        CopyFailed failed = (CopyFailed) handle(backup).getFirst();

        assertThat(failed.willRetry()).isFalse();
        assertThat(offsite.blobs).isEmpty();
    }

    @Test
    void aCopyAlreadyThereWithTheBackupsBytesIsNotSentAgain() throws Exception {
        copyTo(new CopyDestination("offsite", null));
        BackupCompleted backup = stored("copied before a crash", clock.instant());
        CopyStored first = (CopyStored) handle(backup).getFirst();

        CopyStored again = (CopyStored) handle(backup).getFirst();

        assertThat(offsite.puts).hasValue(1);
        assertThat(again.location()).isEqualTo(first.location());
    }

    @Test
    void aCopyTheStatusRecordsAsStoredAndTheDestinationItselfAreLeftAlone() throws Exception {
        copyTo(new CopyDestination("offsite", null), new CopyDestination("main", null));
        BackupCompleted backup = stored("replayed", clock.instant());
        status = BackupStatus.empty(ACCOUNT);
        status = new BackupStatus(ACCOUNT, backup.endedAt(), backup.backupId(), null, null, List.of(
                BackupStatus.OutcomeSummary.success(backup.backupId(), Trigger.MANUAL, backup.endedAt(), 1L,
                        backup.destination().blobName(), "main").withCopy(new BackupStatus.CopyState("offsite",
                        BackupStatus.CopyState.State.STORED, backup.endedAt(), 1, null, null, "x", null))),
                BackupType.MANUAL, null, null, 0, null);

        assertThat(handle(backup)).isEmpty();
        assertThat(offsite.puts).hasValue(0);
    }

    @Test
    void eachCopyDestinationKeepsItsOwnNumberOfBackups() throws Exception {
        copyTo(new CopyDestination("offsite", new Retention(1, null)));
        BackupCompleted older = stored("older", clock.instant());
        handle(older);
        clock.advance(Duration.ofDays(1));
        BackupCompleted newer = stored("newer", clock.instant());
        handle(newer);

        assertThat(backupsIn(destination)).hasSize(2);
        assertThat(backupsIn(offsite)).hasSize(1).allMatch(name -> name.contains(newer.backupId()));
    }

    @Test
    void anImmutableCopyIsWrittenProtectedAndRetentionNeverDeletesItBeforeItsDate() throws Exception {
        copy = s3("offsite", "", new Immutability(30, Immutability.Mode.LOCKED, false));
        copyTo(new CopyDestination("offsite", new Retention(1, null)));
        BackupCompleted older = stored("older", clock.instant());
        CopyStored first = (CopyStored) handle(older).getFirst();
        clock.advance(Duration.ofDays(1));
        handle(stored("newer", clock.instant()));

        assertThat(first.immutableUntil()).isEqualTo(older.endedAt().plus(Duration.ofDays(30)));
        assertThat(backupsIn(offsite)).as("the older copy is kept by its policy").hasSize(2);
    }

    private List<String> backupsIn(MemoryStore store) {
        return store.names().stream().filter(n -> !ManifestNames.isManifest(n)).toList();
    }

    private void copyTo(CopyDestination... copies) {
        connections.put(main.key(), main);
        connections.put(copy.key(), copy);
        settings = new BackupSettings(ACCOUNT, BackupType.MANUAL, "main", null, null, null, null, List.of(copies), null);
    }

    private List<BackupEvent> handle(BackupCompleted backup) throws Exception {
        CopierConfig config = new CopierConfig(1, new CopierConfig.Retry(Duration.ofSeconds(10), Duration.ofMinutes(5),
                budget), Duration.ofDays(7), EndpointPolicy.allowing());
        ServiceOps ops = new ServiceOps(OpsPublisher.NONE, "copier", clock);
        EventPublisher events = (topic, key, value) -> publishedAtOnce.add(value);
        CopyHandler handler = new CopyHandler(new CopyHandler.Lookups(a -> Optional.ofNullable(settings),
                k -> Optional.ofNullable(connections.get(k)), a -> Optional.ofNullable(status)),
                new CopyHandler.Outlets(TOPICS, events, ops),
                new CopyOne(c -> c.connectionId().equals("main") ? destination : offsite, ops, clock), config,
                clock::sleep, clock);
        JobResult result = handler.handle(backup, new JobContext(TOPICS.outcomes(), 0, 0, ACCOUNT, 1));
        return result.outputs().stream().map(o -> Json.decode(o.value(), BackupEvent.class)).toList();
    }

    /** A backup stored at the destination: its blob, metadata and manifest, as the upload worker leaves them. */
    private BackupCompleted stored(String content, Instant at) {
        String backupId = UUID.randomUUID().toString();
        byte[] bytes = (content + " " + backupId).getBytes(StandardCharsets.UTF_8);
        ArchiveFormat archive = new ArchiveFormat(DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE);
        String name = BlobNames.blobName("backups", ACCOUNT, at, backupId, archive);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("backupid", backupId);
        metadata.put("accountid", ACCOUNT);
        metadata.put("requestedat", at.toString());
        metadata.put("writtenby", "backuprelay");
        destination.blobs.put(name, new MemoryStore.Blob(bytes, metadata, null));
        destination.blobs.put(ManifestNames.ofBlob(name), new MemoryStore.Blob("{}".getBytes(StandardCharsets.UTF_8),
                Map.of(), null));
        return new BackupCompleted(1, UUID.randomUUID().toString(), backupId, ACCOUNT, at, Trigger.MANUAL,
                new BlobLocation("acmestorage", "backups", name, "https://acmestorage.blob.core.windows.net/" + name),
                bytes.length, MemoryStore.sha(bytes), Engine.POSTGRESQL, at.minusSeconds(60), at, null, "main", null,
                null, archive, null);
    }

    private static Connection azure(String id, String path) {
        return new Connection(ACCOUNT, id, ConnectionType.AZURE_BLOB, "the destination", "acmestorage", "backups", path,
                new SealedSecret("k1", "sealed"), true, null, null, null, null, null);
    }

    private static Connection s3(String id, String prefix, Immutability immutability) {
        return new Connection(ACCOUNT, id, ConnectionType.S3, "Offsite copy", null, "acme-offsite", prefix,
                new SealedSecret("k1", "sealed"), false, "https://s3.eu-west-1.amazonaws.com", null, null,
                new S3Options("eu-west-1", "AKIAEXAMPLE", false), immutability);
    }

    /** A clock that moves only when the handler waits, or a test says so. */
    static final class MovingClock extends Clock {
        private Instant now;
        final List<Duration> sleeps = new ArrayList<>();
        Runnable onSleep = () -> { };

        MovingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        void sleep(Duration duration) {
            sleeps.add(duration);
            advance(duration);
            onSleep.run();
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
