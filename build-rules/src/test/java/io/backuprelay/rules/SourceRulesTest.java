package io.backuprelay.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shape of the production code, checked on every build. Each rule is first shown to fail on a planted
 * defect, so a rule that can no longer find anything is noticed.
 */
class SourceRulesTest {

    private static final List<SourceFile> PRODUCTION = SourceFile.productionCode(SourceFile.projectRoot());

    static final Rule CLASS_SIZE = new ClassSize(Set.of());
    static final Rule PARAMETERS = new ParameterCount();
    static final Rule QUALIFIED_NAMES = new QualifiedNames();
    static final Rule CYCLES = new PackageCycles();
    static final Rule EVENT_CONTRACT = new FloorRule("io.backuprelay.common.event",
            List.of("org.apache.kafka.", "io.backuprelay.common.kafka", "io.backuprelay.common.service",
                    "io.backuprelay.common.ops", "io.backuprelay.common.config"),
            "the event contract must not depend on the runtime that carries it");
    static final Rule STORED_BACKUP = new StoredBackupWords();
    static final Rule HEALTH = new FloorRule("io.backuprelay.common.health",
            List.of("org.apache.kafka.", "io.backuprelay.common.kafka"),
            "health types must not depend on Kafka");

    @Test
    void readsTheWholeProject() {
        assertThat(PRODUCTION).hasSizeGreaterThan(150);
        assertThat(PRODUCTION).extracting(SourceFile::module)
                .contains("common", "upload-worker", "dump-worker", "console", "standalone");
    }

    @Test
    void noClassIsLongerThanFourHundredLines() {
        assertThat(CLASS_SIZE.violations(PRODUCTION)).isEmpty();
    }

    @Test
    void findsALongClass() {
        String code = "package a;\nclass Long {\n" + "  int x;\n".repeat(ClassSize.MAX_LINES) + "}\n";
        assertThat(CLASS_SIZE.violations(List.of(SourceFile.of("m", "m/Long.java", code))))
                .singleElement().asString().contains("m/Long.java has 403 lines");
        assertThat(new ClassSize(Set.of("m/Long.java")).violations(List.of(SourceFile.of("m", "m/Long.java", code))))
                .isEmpty();
    }

    @Test
    void noMethodTakesMoreThanSevenParameters() {
        assertThat(PARAMETERS.violations(PRODUCTION)).isEmpty();
    }

    @Test
    void findsALongParameterList() {
        SourceFile planted = SourceFile.of("m", "m/Calls.java", """
                package a;
                record Wide(int a, int b, int c, int d, int e, int f, int g, int h) {
                    Wide(String s, int a, int b, int c, int d, int e, int f, int g) { this(a, b, c, d, e, f, g, 0); }
                }
                class Calls {
                    void seven(int a, int b, int c, int d, int e, int f, int g) {}
                    void eight(int a, int b, int c, int d, int e, int f, int g, int h) {}
                }
                """);
        assertThat(PARAMETERS.violations(List.of(planted)))
                .containsExactly("m/Calls.java:3 Wide takes 8 parameters (at most 7)",
                        "m/Calls.java:7 eight takes 8 parameters (at most 7)");
    }

    @Test
    void typesAreImportedNotQualifiedInline() {
        assertThat(QUALIFIED_NAMES.violations(PRODUCTION)).isEmpty();
    }

    @Test
    void findsInlineQualifiedNames() {
        SourceFile planted = SourceFile.of("m", "m/Q.java", """
                package a;
                import java.util.List;
                class Q {
                    java.util.Map<String, List<String>> map;
                    List<String> names = java.util.List.of();
                    @com.fasterxml.jackson.annotation.JsonIgnore int ignored;
                    int constant = config.limits.MAX;
                    String text = record.value().trim();
                    List<String> fine = List.of();
                    record Instant(long at) {}
                    java.time.Instant shadowed = java.time.Instant.now();
                }
                """);
        assertThat(QUALIFIED_NAMES.violations(List.of(planted))).containsExactly(
                "m/Q.java:4 names a type with its package; import it",
                "m/Q.java:5 names a type with its package; import it",
                "m/Q.java:6 names a type with its package; import it");
    }

    @Test
    void noTwoPackagesImportEachOther() {
        assertThat(CYCLES.violations(PRODUCTION)).isEmpty();
    }

    @Test
    void findsPackagesThatImportEachOther() {
        List<SourceFile> planted = List.of(
                SourceFile.of("m", "m/A.java", "package io.backuprelay.a;\nimport io.backuprelay.b.B;\nclass A {}"),
                SourceFile.of("m", "m/B.java", "package io.backuprelay.b;\nimport io.backuprelay.c.C;\nclass B {}"),
                SourceFile.of("m", "m/C.java", "package io.backuprelay.c;\nimport static io.backuprelay.a.A.run;\nclass C {}"),
                SourceFile.of("m", "m/D.java", "package io.backuprelay.d;\nimport io.backuprelay.a.A;\nclass D {}"));
        assertThat(CYCLES.violations(planted)).containsExactly(
                "packages import each other: io.backuprelay.a -> io.backuprelay.b -> io.backuprelay.c -> io.backuprelay.a");
    }

    @Test
    void theEventContractStandsApartFromTheRuntime() {
        assertThat(EVENT_CONTRACT.violations(PRODUCTION)).isEmpty();
        assertThat(HEALTH.violations(PRODUCTION)).isEmpty();
    }

    @Test
    void findsAnEventThatReachesIntoTheRuntime() {
        SourceFile planted = SourceFile.of("common", "common/E.java",
                "package io.backuprelay.common.event;\nimport org.apache.kafka.clients.producer.ProducerRecord;\nrecord E() {}");
        assertThat(EVENT_CONTRACT.violations(List.of(planted))).singleElement().asString()
                .contains("common/E.java imports org.apache.kafka.clients.producer.ProducerRecord");
    }

    @Test
    void onlyBackupFormatSpellsTheStoredBackup() {
        assertThat(STORED_BACKUP.violations(PRODUCTION)).isEmpty();
    }

    @Test
    void findsTheStoredBackupSpelledElsewhere() {
        String code = """
                package a;
                class Names {
                    String manifest = blob + ".manifest.json";
                    String key = "writtenby";
                    String text = "must be zstd or gzip";
                    String header = "x-ms-meta-backupid";
                    String fine = "zstandard none format engine";
                }
                """;
        assertThat(STORED_BACKUP.violations(List.of(SourceFile.of("restore", "restore/Names.java", code))))
                .containsExactly(
                        "restore/Names.java:3 spells '.manifest.json', which only backup-format may: use its names",
                        "restore/Names.java:4 spells 'writtenby', which only backup-format may: use its names",
                        "restore/Names.java:5 spells 'zstd', which only backup-format may: use its names",
                        "restore/Names.java:6 spells 'x-ms-meta-', which only backup-format may: use its names");
        assertThat(STORED_BACKUP.violations(List.of(SourceFile.of(StoredBackupWords.OWNER, "f/Names.java", code))))
                .isEmpty();
    }
}
