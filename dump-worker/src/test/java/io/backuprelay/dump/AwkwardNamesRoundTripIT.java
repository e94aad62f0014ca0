package io.backuprelay.dump;

import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.format.archive.Engine;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.database.PgTools;
import io.backuprelay.database.Restorer;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.testkit.AwkwardNames;
import io.backuprelay.testkit.ScratchDatabase;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database with the names tenants really write ({@link AwkwardNames}) goes through the real dump
 * runner, its completeness check included, and comes back through the restore pipeline of
 * {@code ./backuprelay restore} equal to the source: same objects, same rows of every table.
 */
class AwkwardNamesRoundTripIT {

    @TempDir
    Path staging;
    @TempDir
    Path work;

    @Test
    void aDatabaseWithSpacesQuotesAndAccentsInEveryNameBacksUpAndRestoresEqual() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase restored = ScratchDatabase.postgres()) {
            AwkwardNames.create(source);
            SourceDatabase db = new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432, source.name(), "postgres", null);

            DumpRunner.Dumped dumped = new PgDumpRunner(PgTools.debian()).dump(db, "", sink(), job("pg-awkward"));

            assertThat(dumped.inventory().tables()).containsEntry(AwkwardNames.SALES_OPS_ORDERS, 200L)
                    .containsEntry("select." + AwkwardNames.PG_LONGEST_TABLE, 10L)
                    .containsEntry("Zürich \"Büro\".order", 3L);
            assertThat(dumped.inventory().schemas()).contains("Sales Ops", "Ventas Año", "Zürich \"Büro\"", "2024 data", "select");
            assertThat(dumped.inventory().triggers()).contains("Ventas Año.Eventos Por Mes.Al insertar evento",
                    "Zürich \"Büro\".order.Antes de insertar \"sello\"");
            assertThat(dumped.inventory().extensions()).containsExactly("pg_trgm");
            restoreAndCompare(source, restored, dumped, "POSTGRESQL");
        }
    }

    @Test
    void aMariadbDatabaseWithSpacesBackticksAndAccentsInEveryNameBacksUpAndRestoresEqual() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.mariadb(); ScratchDatabase restored = ScratchDatabase.mariadb()) {
            AwkwardNames.create(source);
            SourceDatabase db = new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306, source.name(), "root", null);

            DumpRunner.Dumped dumped = MariaDbDumpRunner.standard().dump(db, "", sink(), job("maria-awkward"));

            assertThat(dumped.inventory().tables()).containsEntry("Ventas Año", 300L).containsEntry("a`b.c", 3L)
                    .containsEntry(AwkwardNames.MARIADB_LONGEST_TABLE, 10L).containsEntry("Eventos Por Mes", 60L);
            assertThat(dumped.inventory().triggers()).containsExactlyInAnyOrder("Ventas Año.Antes de insertar \"sello\"",
                    "a`b.c.t`x.y");
            assertThat(dumped.inventory().routines()).containsExactlyInAnyOrder("Total del año", "Cuenta `Pedidos`");
            restoreAndCompare(source, restored, dumped, "MARIADB");
        }
    }

    private void restoreAndCompare(ScratchDatabase source, ScratchDatabase restored, DumpRunner.Dumped dumped,
                                   String engine) throws Exception {
        Path plain = work.resolve("plain-dump");
        try (InputStream archive = Files.newInputStream(dumped.archive().path());
             InputStream decompressed = new ZstdInputStream(archive)) {
            Files.copy(decompressed, plain);
        }
        DatabaseTarget target = new DatabaseTarget(Engine.of(engine), "127.0.0.1", restored.port(), restored.name(),
                restored.adminUser());
        try (InputStream dump = Files.newInputStream(plain)) {
            new Restorer(PgTools.debian(), work).feed(target, "", false, dump);
        }

        Map<String, String> expected = AwkwardNames.fingerprint(source);
        assertThat(AwkwardNames.fingerprint(restored)).isEqualTo(expected);
        // what ./backuprelay restore and the restore drill compare: the manifest's inventory with the restored database
        Inventory again = Restorer.inventory(target, "");
        assertThat(dumped.inventory().missingFrom(again, true)).isEmpty();
        assertThat(again.missingFrom(dumped.inventory(), false)).isEmpty();

        // the comparison can fail: one changed value in one row of one table tells the databases apart
        restored.execute(engine.equals("POSTGRESQL")
                ? "UPDATE \"Ventas Año\".\"Pedidos.Año\" SET \"a.b\" = \"a.b\" + 0.01 WHERE \"Número\" = 150"
                : "UPDATE `Ventas Año` SET `a.b` = `a.b` + 0.01 WHERE `Id Pedido` = 150");
        assertThat(AwkwardNames.fingerprint(restored)).isNotEqualTo(expected);
    }

    private ArchiveSink sink() {
        return new ArchiveSink(staging, Compression.ZSTD, 3, 0);
    }

    private static DumpJob job(String backupId) {
        return new DumpJob(backupId, List.of(), Duration.ofMinutes(2), null);
    }
}
