package io.backuprelay.dump;

import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.format.archive.DumpFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.DumpStarted;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.ops.OpsEvent;
import io.backuprelay.common.ops.OpsStatus;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dump whose session the source database ends is tried again, a bounded number of times, with a doubling wait. */
class InterruptedDumpRetriesTest {

    private static final Instant NOW = Instant.parse("2026-11-26T09:00:00Z");
    private static final String TERMINATED = "pg_dump could not dump db.example:5432/Ventes_2026: detail: Error"
            + " message from server: FATAL:  terminating connection due to administrator command";

    @TempDir
    Path staging;

    private final Topics topics = new Topics("t.");
    private final List<OpsEvent> ops = new CopyOnWriteArrayList<>();
    private final List<DumpStarted> announced = new CopyOnWriteArrayList<>();
    private final List<Duration> pauses = new CopyOnWriteArrayList<>();
    private final AtomicInteger tries = new AtomicInteger();
    private final BackupRequested request = BackupRequested.manual("cafe-creme", "main", "Zoë O'Brien", NOW);

    @Test
    void aDumpWhoseSessionTheSourceEndsEveryTimeFailsWithTheLastReasonAndHowOftenItWasTried() throws Exception {
        JobResult result = handler(1, endsEveryTime()).handle(request, context());

        BackupFailed failed = Json.decode(result.outputs().getFirst().value(), BackupFailed.class);
        assertThat(result.outputs().getFirst().topic()).isEqualTo(topics.outcomes());
        assertThat(failed.stage()).isEqualTo(FailureStage.DUMP);
        assertThat(failed.reason()).isEqualTo(TERMINATED + " (try 2) (tried 2 times)");
        assertThat(tries).hasValue(2);
        assertThat(ops).filteredOn(e -> e.status() == OpsStatus.RETRIED).singleElement()
                .satisfies(retried -> assertThat(retried.detail()).contains("ended the dump's session", "try 1 of 2",
                        "trying again in 5 s", "terminating connection due to administrator command"));
        assertThat(ops).extracting(OpsEvent::status).endsWith(OpsStatus.RETRIED, OpsStatus.FAILED);
        assertThat(announced).as("each try announces its own staging file").hasSize(2)
                .extracting(DumpStarted::partialFile).doesNotHaveDuplicates();
        try (Stream<Path> left = Files.list(staging)) {
            assertThat(left).as("no try leaves its partial file").isEmpty();
        }
    }

    @Test
    void eachWaitBeforeAnotherTryIsTwiceTheOneBefore() throws Exception {
        handler(3, endsEveryTime()).handle(request, context());

        assertThat(pauses).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20));
        assertThat(tries).hasValue(4);
        assertThat(ops).filteredOn(e -> e.status() == OpsStatus.RETRIED).hasSize(3);
    }

    @Test
    void aDumpThatFailsForAnotherReasonIsNotTriedAgain() throws Exception {
        String rejected = "The database server db.example:5432 rejected the username 'zoe_obrien' or its password.";
        JobResult result = handler(2, (source, password, sink, job) -> {
            tries.incrementAndGet();
            throw new DumpFailedException(rejected);
        }).handle(request, context());

        assertThat(Json.decode(result.outputs().getFirst().value(), BackupFailed.class).reason()).isEqualTo(rejected);
        assertThat(tries).hasValue(1);
        assertThat(pauses).isEmpty();
        assertThat(ops).extracting(OpsEvent::status).doesNotContain(OpsStatus.RETRIED);
    }

    @Test
    void withNoRetriesAnInterruptedDumpFailsAtOnceWithItsOwnReason() throws Exception {
        JobResult result = handler(0, endsEveryTime()).handle(request, context());

        assertThat(Json.decode(result.outputs().getFirst().value(), BackupFailed.class).reason())
                .isEqualTo(TERMINATED + " (try 1)");
        assertThat(tries).hasValue(1);
    }

    @Test
    void aShutdownDuringTheWaitEndsTheJobInsteadOfTryingAgain() {
        DumpHandler handler = handler(2, endsEveryTime()).withPause(duration -> {
            throw new InterruptedException("shutdown");
        });

        assertThatThrownBy(() -> handler.handle(request, context())).isInstanceOf(InterruptedException.class);
        assertThat(tries).hasValue(1);
    }

    @Test
    void theRetrySettingsDefaultToTwoMoreTriesAfterFiveSecondsAndRefuseValuesOutOfBounds() {
        DumpWorkerConfig defaults = DumpWorkerConfig.from(new ConfigSource(Map.of()));
        assertThat(defaults.interruptionRetries()).isEqualTo(2);
        assertThat(defaults.interruptionBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(DumpWorkerConfig.from(new ConfigSource(Map.of("DUMP_INTERRUPTION_RETRIES", "0",
                "DUMP_INTERRUPTION_BACKOFF", "PT1M"))).interruptionRetries()).isZero();
        assertThatThrownBy(() -> DumpWorkerConfig.from(new ConfigSource(Map.of("DUMP_INTERRUPTION_RETRIES", "11"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("DUMP_INTERRUPTION_RETRIES");
        assertThatThrownBy(() -> DumpWorkerConfig.from(new ConfigSource(Map.of("DUMP_INTERRUPTION_BACKOFF", "PT2M"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("DUMP_INTERRUPTION_BACKOFF");
    }

    /** A runner as pg_dump behaves when its session is terminated mid-dump: it had started its file, and removes it. */
    private DumpRunner endsEveryTime() {
        return (source, password, sink, job) -> {
            int attempt = tries.incrementAndGet();
            Path partial = sink.newPartialFile(job.backupId());
            Files.writeString(partial, "PGDMP half a dump");
            job.opened().archive(partial, DumpFormat.PG_DUMP_CUSTOM);
            Files.delete(partial);
            throw DumpFailedException.interrupted(TERMINATED + " (try " + attempt + ")");
        };
    }

    private DumpHandler handler(int retries, DumpRunner runner) {
        SourceDatabase source = new SourceDatabase(Engine.POSTGRESQL, "db.example", 5432, "Ventes_2026",
                "zoe_obrien", null);
        Account account = new Account(request.accountId(), "Café Crème", "fr", "Europe/Paris",
                List.of("zoe@cafe.example"), source);
        BackupSettings settings = new BackupSettings(request.accountId(), BackupType.MANUAL, null, null, List.of(), null);
        DumpWorkerConfig config = new DumpWorkerConfig(staging, 1, Duration.ofSeconds(5),
                new DumpWorkerConfig.Archive(Compression.ZSTD, 3, 0),
                new DumpWorkerConfig.Space(0, Duration.ofSeconds(2), Duration.ofHours(48), Duration.ofMinutes(10)),
                new DumpWorkerConfig.Patience(Duration.ofMinutes(1), retries, Duration.ofSeconds(5), Duration.ofMinutes(1)),
                SourceTls.SYSTEM_CAS);
        return new DumpHandler(topics,
                new DumpHandler.Lookups(id -> Optional.of(account), id -> Optional.of(settings), id -> Optional.empty(),
                        () -> { }),
                new DumpHandler.Tools(Map.of(Engine.POSTGRESQL, runner),
                        SecretSealer.ofBase64("k1", SecretSealer.newBase64Key()),
                        new ArchiveSink(staging, Compression.ZSTD, 3, 0), config),
                ops::add, (topic, key, value) -> {
                    if (value instanceof DumpStarted started) {
                        announced.add(started);
                    }
                }, "dump-test", Clock.fixed(NOW, ZoneOffset.UTC)).withPause(pauses::add);
    }

    private static JobContext context() {
        return new JobContext("t.backup.requests", 0, 0, "cafe-creme", 1);
    }
}
