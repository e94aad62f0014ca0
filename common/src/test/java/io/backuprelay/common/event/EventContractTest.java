package io.backuprelay.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.json.MalformedJsonException;
import io.backuprelay.format.archive.ArchiveFormat;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The JSON of every event version is a contract with the other services and outside tools. */
class EventContractTest {

    private static final String BACKUP_ID = "01936b4c-1a2b-7c3d-8e4f-5a6b7c8d9e0f";
    /** Who pressed the button, in Spanish: carried from the request to the outcome, for the email. */
    private static final Requester ANA = new Requester("ana@acme.example", "es");

    static Stream<Arguments> goldenEvents() {
        return Stream.of(
                Arguments.of("backup.requested.v1.json", new BackupRequested(1, "5b0d7a51-4f59-4a7b-9c9a-1f0f8f1f3c11",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:15:00Z"), Trigger.MANUAL, 1,
                        "ana@acme.example", "main-azure", Instant.parse("2026-11-26T09:15:00Z"), 0, ANA)),
                Arguments.of("backup.started.v1.json", new BackupStarted(1, "3c2b1a09-8f7e-4d6c-9b5a-493827160504",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:15:01Z"), Trigger.MANUAL, 1, "dump-1")),
                Arguments.of("dump.started.v1.json", new DumpStarted(1, "2d3e4f50-6a7b-4c8d-9e0f-a1b2c3d4e5f6", BACKUP_ID,
                        "acme", Instant.parse("2026-11-26T09:15:01Z"), "main-azure",
                        BACKUP_ID + ".4f2a9c1e.dump-1.archive.partial", BACKUP_ID + ".4f2a9c1e.archive", Engine.POSTGRESQL,
                        DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE, Instant.parse("2026-11-26T09:15:00Z"), 1)),
                Arguments.of("dump.ready.v1.json", new DumpReady(1, "8c3e2f10-1d4b-4a53-9f0e-2b7c6d5e4f31", BACKUP_ID,
                        "acme", Instant.parse("2026-11-26T09:16:40Z"), Trigger.MANUAL, "main-azure",
                        Instant.parse("2026-11-26T09:15:00Z"), BACKUP_ID + ".dump.zst", 123456789L,
                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Engine.POSTGRESQL, "15.19",
                        DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE, Instant.parse("2026-11-26T09:15:01Z"),
                        Instant.parse("2026-11-26T09:16:39Z"), 1, BACKUP_ID + ".manifest.json",
                        Instant.parse("2026-11-26T09:15:00Z"), "ana@acme.example", 0, List.of(), ANA)),
                Arguments.of("backup.completed.v1.json", new BackupCompleted(1, "0f1e2d3c-4b5a-4697-8877-665544332211",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:18:00Z"), Trigger.MANUAL,
                        new BlobLocation("acmebackups", "db-backups",
                                "backups/acme/2026/11/acme-20261126T091500Z-" + BACKUP_ID + ".dump.zst",
                                "https://acmebackups.blob.core.windows.net/db-backups/backups/acme/2026/11/acme-20261126T091500Z-"
                                        + BACKUP_ID + ".dump.zst"),
                        123456789L, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Engine.POSTGRESQL,
                        Instant.parse("2026-11-26T09:15:00Z"), Instant.parse("2026-11-26T09:18:00Z"), List.of(),
                        "main-azure", List.of("SHA256_OF_BYTES_SENT", "CRC64_PER_BLOCK"), ANA,
                        new ArchiveFormat(DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE), null)),
                Arguments.of("backup.failed.v1.json", new BackupFailed(1, "aa11bb22-cc33-4d44-8e55-ff6677889900",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:15:05Z"), Trigger.SCHEDULED, FailureStage.DUMP,
                        "The database server db.acme.internal:5432 refused the connection.", true,
                        Instant.parse("2026-11-26T09:30:05Z"), Instant.parse("2026-11-26T09:15:00Z"), 1, null)),
                Arguments.of("backup.overdue.v1.json", new BackupOverdue(1, "77aa88bb-99cc-4ddd-8eee-ff0011223344",
                        BACKUP_ID, "acme", Instant.parse("2026-12-06T21:18:00Z"),
                        BackupType.EVERY_7_DAYS, Instant.parse("2026-11-26T09:18:00Z"), 3)),
                Arguments.of("restore.verified.v1.json", new RestoreVerified(1, "5d4c3b2a-1908-4f7e-8d6c-5b4a39281706",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:21:00Z"), DrillOutcome.Kind.RESTORE,
                        "3 tables (8,501 rows), 1 view, 3 sequences", 41250)),
                Arguments.of("restore.failed.v1.json", new RestoreFailed(1, "6e5d4c3b-2a19-4087-9e6d-5c4b3a291807",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:21:00Z"), DrillOutcome.Kind.RESTORE,
                        "The restored database differs from the backup's inventory in 1 place(s).",
                        List.of("rows of public.invoice: 5000 in the backup, 4999 restored"))),
                Arguments.of("backup.copy.stored.v1.json", new CopyStored(1, "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:19:30Z"), "offsite", 2,
                        new BlobLocation("AKIAEXAMPLEKEYID", "acme-offsite",
                                "backups/acme/2026/11/acme-20261126T091500Z-01936b4c.dump.zst",
                                "https://s3.eu-west-1.amazonaws.com/acme-offsite/backups/acme/2026/11/acme-20261126T091500Z-01936b4c.dump.zst"),
                        1048576L, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                        Instant.parse("2026-12-26T09:19:30Z"), false, List.of("CHECKSUM_PER_PART", "READ_BACK_SHA256"))),
                Arguments.of("backup.copy.failed.v1.json", new CopyFailed(1, "8a7f6e5d-4c3b-42a1-9a8f-7e6d5c4b3a29",
                        BACKUP_ID, "acme", Instant.parse("2026-11-26T09:19:30Z"), "offsite", 1,
                        "The bucket 'acme-offsite' at https://s3.eu-west-1.amazonaws.com refused the request (HTTP 503, SlowDown).",
                        true, Instant.parse("2026-11-26T09:19:40Z"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenEvents")
    void readsTheGoldenJsonOfItsVersion(String file, BackupEvent expected) throws IOException {
        assertThat(Json.decode(golden(file), BackupEvent.class)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenEvents")
    void writesExactlyTheGoldenJson(String file, BackupEvent event) throws IOException {
        JsonNode written = Json.mapper().readTree(Json.encode(event));
        assertThat(written).isEqualTo(Json.mapper().readTree(golden(file)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenEvents")
    void ignoresFieldsAddedByANewerWriter(String file, BackupEvent expected) throws IOException {
        ObjectNode newer = (ObjectNode) Json.mapper().readTree(golden(file));
        newer.put("addedLater", "something a newer producer knows");
        newer.putObject("nested").put("x", 1);
        assertThat(Json.decode(Json.encode(newer), BackupEvent.class)).isEqualTo(expected);
    }

    @Test
    void defaultsTheVersionOfAnEventWrittenWithoutOne() throws IOException {
        ObjectNode old = (ObjectNode) Json.mapper().readTree(golden("backup.requested.v1.json"));
        old.remove("version");
        old.remove("attempt");
        BackupRequested read = Json.decode(Json.encode(old), BackupRequested.class);
        assertThat(read.version()).isEqualTo(1);
        assertThat(read.attempt()).isEqualTo(1);
    }

    @Test
    void readsTheSlotOfARequestWrittenBeforeItHadOneAsItsEmissionTime() throws IOException {
        ObjectNode old = (ObjectNode) Json.mapper().readTree(golden("backup.requested.v1.json"));
        old.remove("slotAt");
        BackupRequested read = Json.decode(Json.encode(old), BackupRequested.class);
        assertThat(read.slotAt()).isEqualTo(read.occurredAt());
        ObjectNode oldDump = (ObjectNode) Json.mapper().readTree(golden("dump.ready.v1.json"));
        oldDump.remove("slotAt");
        assertThat(Json.decode(Json.encode(oldDump), DumpReady.class).slotAt()).isEqualTo(Instant.parse("2026-11-26T09:15:00Z"));
    }

    @Test
    void readsADumpEventWrittenBeforeEncryptionAsUnencrypted() throws IOException {
        ObjectNode ready = (ObjectNode) Json.mapper().readTree(golden("dump.ready.v1.json"));
        ready.remove("encryption");
        assertThat(Json.decode(Json.encode(ready), DumpReady.class).archiveFormat())
                .isEqualTo(new ArchiveFormat(DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.NONE));
        ObjectNode started = (ObjectNode) Json.mapper().readTree(golden("dump.started.v1.json"));
        started.remove("encryption");
        assertThat(Json.decode(Json.encode(started), DumpStarted.class).encryption()).isEqualTo(Encryption.NONE);
    }

    @Test
    void readsACompletedBackupWrittenBeforeItSaidHowTheArchiveIsWritten() throws IOException {
        ObjectNode old = (ObjectNode) Json.mapper().readTree(golden("backup.completed.v1.json"));
        old.remove("archive");
        assertThat(Json.decode(Json.encode(old), BackupCompleted.class).archive()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"engine", "format", "compression"})
    void refusesADumpThatDoesNotSayHowItsArchiveIsWritten(String field) throws IOException {
        ObjectNode ready = (ObjectNode) Json.mapper().readTree(golden("dump.ready.v1.json"));
        ready.remove(field);
        byte[] bytes = Json.encode(ready);

        assertThatThrownBy(() -> Json.decode(bytes, BackupEvent.class))
                .isInstanceOf(MalformedJsonException.class)
                .hasMessageContaining(field);
    }

    static Stream<Arguments> unknownWords() {
        return Stream.of(
                Arguments.of("dump.ready.v1.json", "engine", "ORACLE"),
                Arguments.of("dump.ready.v1.json", "format", "pg_dump-directory"),
                Arguments.of("dump.ready.v1.json", "compression", "lz4"),
                Arguments.of("dump.ready.v1.json", "encryption", "gpg"),
                Arguments.of("dump.started.v1.json", "engine", "postgresql"),
                Arguments.of("dump.started.v1.json", "format", "mysql-sql"),
                Arguments.of("dump.started.v1.json", "compression", "brotli"),
                Arguments.of("dump.started.v1.json", "encryption", "age-ed25519"),
                Arguments.of("backup.completed.v1.json", "engine", "SQLSERVER"),
                Arguments.of("backup.completed.v1.json", "archive.format", "tar"),
                Arguments.of("backup.completed.v1.json", "archive.compression", "xz"),
                Arguments.of("backup.completed.v1.json", "archive.encryption", "kms"));
    }

    /** A word this version does not know makes the event a poison message: its worker dead-letters what it cannot decode. */
    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("unknownWords")
    void refusesAnEventNamingAFormatWordThisVersionDoesNotKnow(String file, String field, String word) throws IOException {
        ObjectNode event = (ObjectNode) Json.mapper().readTree(golden(file));
        ObjectNode holder = field.startsWith("archive.") ? (ObjectNode) event.get("archive") : event;
        holder.put(field.substring(field.indexOf('.') + 1), word);
        byte[] bytes = Json.encode(event);

        assertThatThrownBy(() -> Json.decode(bytes, BackupEvent.class))
                .isInstanceOf(MalformedJsonException.class)
                .hasMessageContaining("'" + word + "'");
    }

    @Test
    void refusesAnEventOfAnotherTypeWhereOneTypeIsExpected() throws IOException {
        byte[] dumpReady = golden("dump.ready.v1.json");
        assertThatThrownBy(() -> Json.decode(dumpReady, BackupRequested.class))
                .isInstanceOf(MalformedJsonException.class)
                .hasMessageContaining("BackupRequested");
    }

    @Test
    void namesWhatIsMissingInAnIncompleteEvent() {
        assertThatThrownBy(() -> Json.decode("{\"type\":\"backup.requested\",\"backupId\":\"b\"}", BackupRequested.class))
                .isInstanceOf(MalformedJsonException.class)
                .hasMessageContaining("eventId");
    }

    @Test
    void refusesBytesThatAreNotJson() {
        assertThatThrownBy(() -> Json.decode("not json at all", BackupEvent.class))
                .isInstanceOf(MalformedJsonException.class)
                .hasMessageStartingWith("Not a valid BackupEvent");
    }

    private static byte[] golden(String file) throws IOException {
        try (InputStream in = EventContractTest.class.getResourceAsStream("/golden/" + file)) {
            return in.readAllBytes();
        }
    }
}
