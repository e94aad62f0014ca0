package io.backuprelay.standalone.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.json.Json;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.database.PgTools;
import io.backuprelay.testkit.Azurite;
import io.backuprelay.testkit.ScratchDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backuprelay restore} from a stored backup (blob and manifest in Azurite, reached through a
 * SAS URL alone) into a fresh database, compared with the source by a fingerprint: every table's
 * rows, views, routines, triggers and sequences.
 */
class RestoreCommandIT {

    @TempDir
    Path work;

    private BlobContainerClient container;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("restore-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Test
    void aPostgresBackupRestoresIntoAFreshDatabaseIdenticalToTheSource() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase target = ScratchDatabase.postgres()) {
            fillPostgres(source);
            String url = store(backup(source, List.of()));

            assertThat(restore("--blob-url", url, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name()))
                    .as(err.toString()).isZero();

            assertThat(fingerprint(target)).isEqualTo(fingerprint(source)).containsKeys("customer", "invoice");
            assertThat(out.toString()).contains("SHA-256 matches the manifest")
                    .contains("In the backup:  2 tables (7,000 rows), 1 view, 3 sequences, 2 routines, 1 trigger")
                    .contains("Restored:       2 tables (7,000 rows), 1 view, 3 sequences, 2 routines, 1 trigger")
                    .contains("The restored database matches the backup's inventory.");
            assertThat(err.toString()).contains("bytes (100%)");
        }
    }

    @Test
    void anEncryptedPostgresBackupRestoresWithItsIdentityAndNotWithAnother() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase target = ScratchDatabase.postgres()) {
            fillPostgres(source);
            Path key = ageKey("key.txt");
            Path otherKey = ageKey("other.txt");
            String url = store(backup(source, List.of(recipientOf(key))));

            assertThat(restore("--blob-url", url, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name(),
                    "--identity", otherKey.toString())).isEqualTo(1);
            assertThat(err.toString()).contains("cannot open this backup");
            assertThat(restore("--blob-url", url, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name()))
                    .isEqualTo(1);
            assertThat(err.toString()).contains("give the private key with --identity");

            assertThat(restore("--blob-url", url, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name(),
                    "--identity", key.toString())).as(err.toString()).isZero();
            assertThat(fingerprint(target)).isEqualTo(fingerprint(source));
        }
    }

    @Test
    void mariadbBackupsPlainAndEncryptedRestoreIdenticalToTheSource() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.mariadb(); ScratchDatabase plain = ScratchDatabase.mariadb();
             ScratchDatabase decrypted = ScratchDatabase.mariadb()) {
            source.execute(
                    "CREATE TABLE customer (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, city VARCHAR(50))"
                            + " DEFAULT CHARSET=utf8mb4",
                    "CREATE TABLE invoice (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT, total DECIMAL(12,2))"
                            + " DEFAULT CHARSET=utf8mb4",
                    "INSERT INTO customer (name, city) SELECT CONCAT('Cliente ', seq), ELT(1 + seq % 3, 'São Paulo', 'Zürich',"
                            + " '東京') FROM seq_1_to_2000",
                    "INSERT INTO invoice (customer_id, total) SELECT 1 + seq % 2000, seq * 0.37 FROM seq_1_to_5000",
                    "CREATE VIEW big_invoices AS SELECT * FROM invoice WHERE total > 1000",
                    "CREATE PROCEDURE count_invoices() SELECT COUNT(*) FROM invoice",
                    "CREATE TRIGGER invoice_positive BEFORE INSERT ON invoice FOR EACH ROW SET NEW.total = ABS(NEW.total)");
            Path key = ageKey("key.txt");

            assertThat(restore("--blob-url", store(backup(source, List.of())), "--to",
                    "mariadb://root@127.0.0.1:3306/" + plain.name())).as(err.toString()).isZero();
            assertThat(restore("--blob-url", store(backup(source, List.of(recipientOf(key)))), "--to",
                    "mariadb://root@127.0.0.1:3306/" + decrypted.name(), "--identity", key.toString()))
                    .as(err.toString()).isZero();

            assertThat(fingerprint(plain)).isEqualTo(fingerprint(source)).containsEntry("routines", "count_invoices")
                    .containsEntry("triggers", "invoice_positive").containsEntry("views", "big_invoices");
            assertThat(fingerprint(decrypted)).isEqualTo(fingerprint(source));
        }
    }

    @Test
    void aLinkToTheBlobAloneRestoresFromTheBlobsOwnMetadata() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase target = ScratchDatabase.postgres()) {
            fillPostgres(source);
            String blobOnly = blobSasUrl(store(backup(source, List.of())));

            assertThat(restore("--blob-url", blobOnly, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name()))
                    .as(err.toString()).isZero();

            assertThat(out.toString()).contains("using the blob's own metadata").contains("SHA-256 matches");
            assertThat(fingerprint(target)).isEqualTo(fingerprint(source));
        }
    }

    /**
     * The console's link: a SAS for the blob alone carrying one for its manifest; when that manifest is gone, the
     * link fails the restore, and only the blob's link alone falls back to its metadata, saying so.
     */
    @Test
    void aLinkToTheBlobAloneCarryingItsManifestsLinkIsComparedWithTheInventory() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase target = ScratchDatabase.postgres();
             ScratchDatabase second = ScratchDatabase.postgres()) {
            fillPostgres(source);
            String blobOnly = blobSasUrl(store(backup(source, List.of())));
            String name = URLDecoder.decode(blobOnly.substring(blobOnly.indexOf(container.getBlobContainerName())
                    + container.getBlobContainerName().length() + 1, blobOnly.indexOf('?')), StandardCharsets.UTF_8);
            var manifest = container.getBlobClient(name + ".manifest.json");
            String link = new ManifestLink(blobOnly, manifest.getBlobUrl() + "?" + manifest.generateSas(
                    new BlobServiceSasSignatureValues(OffsetDateTime.now(ZoneOffset.UTC).plusHours(1),
                            new BlobSasPermission().setReadPermission(true)))).url();

            assertThat(restore("--blob-url", link, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name()))
                    .as(err.toString()).isZero();
            assertThat(out.toString()).doesNotContain("blob's own metadata")
                    .contains("In the backup:  2 tables (7,000 rows), 1 view, 3 sequences, 2 routines, 1 trigger")
                    .contains("The restored database matches the backup's inventory.");

            manifest.delete();
            assertThat(restore("--blob-url", link, "--to", "postgresql://postgres@127.0.0.1:5432/" + second.name()))
                    .as("the link names a manifest: without it nothing would be compared").isNotZero();
            assertThat(err.toString()).contains("The manifest could not be read (HTTP 404").doesNotContain("sig=");
            assertThat(restore("--blob-url", blobOnly, "--to", "postgresql://postgres@127.0.0.1:5432/" + second.name()))
                    .as("the blob's link alone: its metadata, said plainly").as(err.toString()).isZero();
            assertThat(out.toString()).as("a blob's SAS cannot read beside it").contains("The manifest cannot be read"
                    + " with this link (HTTP 403); using the blob's own metadata, so the restored database is not compared"
                    + " with an inventory.").contains("the manifest lists no inventory to compare with")
                    .doesNotContain("sig=");
            assertThat(fingerprint(second)).isEqualTo(fingerprint(source));
        }
    }

    @Test
    void aNonEmptyTargetIsRefusedWithoutCleanAndReplacedWithIt() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase target = ScratchDatabase.postgres()) {
            fillPostgres(source);
            String url = store(backup(source, List.of()));
            target.execute("CREATE TABLE precious (id int)");

            assertThat(restore("--blob-url", url, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name()))
                    .isEqualTo(1);
            assertThat(err.toString()).contains("already holds 1 table(s)").contains("--clean");
            assertThat(fingerprint(target)).containsKey("precious").doesNotContainKey("customer");

            assertThat(restore("--blob-url", url, "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name(),
                    "--clean")).as(err.toString()).isZero();
            assertThat(fingerprint(target)).containsKeys("customer", "invoice");
        }
    }

    @Test
    void aCorruptedBlobOrAMissingManifestOrAnUnreachableTargetIsSaidPlainly() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres()) {
            fillPostgres(source);
            Stored stored = backup(source, List.of());
            byte[] corrupted = Files.readAllBytes(stored.archive());
            corrupted[corrupted.length / 2] ^= 0x01;
            Files.write(stored.archive(), corrupted);

            assertThat(restore("--blob-url", store(stored), "--to-file", work.resolve("plain.dump").toString()))
                    .isEqualTo(1);
            assertThat(err.toString().toLowerCase(Locale.ROOT)).contains("corrupt");

            String bare = container.getBlobClient("bare.dump.zst").getBlobUrl();
            container.getBlobClient("bare.dump.zst").upload(BinaryData.fromBytes(Files.readAllBytes(stored.archive())), true);
            String bareOnly = blobSasUrl(bare + "?x");
            assertThat(restore("--blob-url", bareOnly, "--to-file", work.resolve("other.dump").toString())).isEqualTo(1);
            assertThat(err.toString()).contains("The manifest could not be read (HTTP 403").contains("no backuprelay metadata");

            assertThat(restore("--blob-url", store(backup(source, List.of())), "--to",
                    "postgresql://postgres@127.0.0.1:1/nowhere")).isEqualTo(1);
            assertThat(err.toString()).contains("Cannot reach the target database postgresql://postgres@127.0.0.1:1/nowhere");
            assertThat(restore("--blob-url", "ftp://x", "--to-file", "y")).isEqualTo(2);
        }
    }

    @Test
    void anAccountsLatestOrGivenBackupIsFoundInItsContainerWithTheAccessKey() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase latest = ScratchDatabase.postgres();
             ScratchDatabase older = ScratchDatabase.postgres()) {
            fillPostgres(source);
            String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
            Stored first = backup(source, List.of());
            store(first, "backups/" + account + "/2026/10/" + account + "-20261025T000000Z-" + first.manifest().backupId()
                    + ".dump.zst");
            source.execute("INSERT INTO customer (name) VALUES ('added after the first backup')");
            Stored second = backup(source, List.of());
            store(second, "backups/" + account + "/2026/11/" + account + "-20261101T000000Z-" + second.manifest().backupId()
                    + ".dump.zst");
            // The emulator is an operator's entry of the allowlist, as the restore command reads it from its environment.
            Map<String, String> key = Map.of("AZURE_STORAGE_KEY", Azurite.ACCOUNT_KEY,
                    "BACKUPRELAY_ALLOWED_ENDPOINTS", Azurite.origin());
            String[] where = {"--account", account, "--storage-account", Azurite.ACCOUNT_NAME, "--container",
                    container.getBlobContainerName(), "--path", "backups", "--endpoint", Azurite.blobEndpoint()};

            assertThat(restore(key, concat(where, "--latest", "--to", "postgresql://postgres@127.0.0.1:5432/" + latest.name())))
                    .as(err.toString()).isZero();
            assertThat(out.toString()).contains("-" + second.manifest().backupId() + ".dump.zst");
            assertThat(fingerprint(latest)).isEqualTo(fingerprint(source));

            assertThat(restore(key, concat(where, "--backup", first.manifest().backupId(), "--to",
                    "postgresql://postgres@127.0.0.1:5432/" + older.name()))).as(err.toString()).isZero();
            assertThat(fingerprint(older).get("customer")).startsWith("2000 rows");

            assertThat(restore(Map.of(), concat(where, "--latest", "--to-file", work.resolve("x.dump").toString())))
                    .isEqualTo(1);
            assertThat(err.toString()).contains("AZURE_STORAGE_KEY");
            assertThat(restore(key, concat(where, "--backup", "no-such-backup", "--to-file",
                    work.resolve("y.dump").toString()))).isEqualTo(1);
            assertThat(err.toString()).contains("No backup no-such-backup under backups/" + account + "/ (2 backup(s) there)");
        }
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void aRestoredDatabaseThatDiffersFromTheInventoryFailsTheRestoreNamingTheDifference() throws Exception {
        try (ScratchDatabase source = ScratchDatabase.postgres(); ScratchDatabase target = ScratchDatabase.postgres()) {
            fillPostgres(source);
            Stored stored = backup(source, List.of());
            // The manifest says one more routine and one more row than the archive holds.
            Inventory listed = stored.manifest().inventory();
            Map<String, Long> tables = new HashMap<>(listed.tables());
            tables.put("public.invoice", tables.get("public.invoice") + 1);
            List<String> routines = new ArrayList<>(listed.routines());
            routines.add("public.ghost");
            Inventory claimed = new Inventory(listed.schemas(), tables, listed.views(), listed.sequences(), routines,
                    listed.triggers(), listed.events(), listed.extensions());
            BackupManifest m = stored.manifest();
            Stored tampered = new Stored(stored.archive(), new BackupManifest(m.backupId(), m.accountId(), m.engine(),
                    m.serverVersion(), m.toolVersion(), m.format(), m.compression(), m.encryption(),
                    m.encryptionRecipients(), m.sizeBytes(), m.sha256(), m.startedAt(), m.endedAt(), m.tableCount(), claimed));

            assertThat(restore("--blob-url", store(tampered), "--to", "postgresql://postgres@127.0.0.1:5432/" + target.name()))
                    .isEqualTo(1);
            assertThat(err.toString()).contains("differs from the backup's inventory").contains("routine public.ghost")
                    .contains("rows of public.invoice: 5001 in the backup, 5000 restored");
        }
    }

    // ---- a stored backup, as the dump and upload workers leave it ----

    private record Stored(Path archive, BackupManifest manifest) {
    }

    private Stored backup(ScratchDatabase source, List<String> recipients) throws Exception {
        Path staging = Files.createDirectories(work.resolve("staging"));
        boolean postgres = source.port() == 5432;
        SourceDatabase db = new SourceDatabase(postgres ? Engine.POSTGRESQL : Engine.MARIADB, "127.0.0.1",
                source.port(), source.name(), source.adminUser(), null);
        String backupId = UUID.randomUUID().toString();
        DumpRunner runner = postgres ? new PgDumpRunner(PgTools.debian()) : MariaDbDumpRunner.standard();
        DumpRunner.Dumped dumped = runner.dump(db, "", new ArchiveSink(staging, Compression.ZSTD, 3, 0),
                new DumpJob(backupId, recipients, Duration.ofMinutes(1), null));
        return new Stored(dumped.archive().path(), new BackupManifest(backupId, "acme", db.engine(),
                dumped.serverVersion(), dumped.toolVersion(), dumped.format(), dumped.archive().compression(),
                dumped.archive().encryption(), recipients, dumped.archive().sizeBytes(), dumped.archive().sha256(),
                Instant.now(), Instant.now(), dumped.tableCount(), dumped.inventory()));
    }

    /** Uploads the archive and its manifest; returns the archive's URL with a container read SAS. */
    private String store(Stored stored) throws Exception {
        return store(stored, "backups/acme/" + stored.manifest().backupId() + ".dump.zst");
    }

    private String store(Stored stored, String name) throws Exception {
        container.getBlobClient(name).upload(BinaryData.fromBytes(Files.readAllBytes(stored.archive())), true);
        // The metadata the upload worker writes (BlobMetadata).
        container.getBlobClient(name).setMetadata(Map.of("backupid", stored.manifest().backupId(), "accountid", "acme",
                "sha256", stored.manifest().sha256(), "engine", stored.manifest().engine().label(), "format",
                stored.manifest().format().label(), "compression", stored.manifest().compression().label(), "encryption",
                stored.manifest().encryption().label(), "writtenby", "backuprelay"));
        container.getBlobClient(name + ".manifest.json").upload(BinaryData.fromBytes(Json.encode(stored.manifest())), true);
        String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now(ZoneOffset.UTC).plusHours(1),
                new BlobContainerSasPermission().setReadPermission(true)));
        return container.getBlobClient(name).getBlobUrl() + "?" + sas;
    }

    /** The same blob with a SAS for it alone: the manifest beside it cannot be read with that. */
    private String blobSasUrl(String containerSasUrl) {
        String url = containerSasUrl.substring(0, containerSasUrl.indexOf('?'));
        String name = URLDecoder.decode(url.substring(url.indexOf(container.getBlobContainerName())
                + container.getBlobContainerName().length() + 1), StandardCharsets.UTF_8);
        var blob = container.getBlobClient(name);
        return blob.getBlobUrl() + "?" + blob.generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now(ZoneOffset.UTC).plusHours(1), new BlobSasPermission().setReadPermission(true)));
    }

    private int restore(String... args) {
        return restore(Map.of(), args);
    }

    private int restore(Map<String, String> environment, String... args) {
        out.reset();
        err.reset();
        return new RestoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment).run(args);
    }

    private Path ageKey(String file) throws Exception {
        Path key = work.resolve(file);
        Process process = new ProcessBuilder("age-keygen", "-o", key.toString()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).isZero();
        return key;
    }

    private static String recipientOf(Path key) throws Exception {
        return Files.readAllLines(key).stream().filter(l -> l.startsWith("# public key: ")).findFirst().orElseThrow()
                .substring("# public key: ".length());
    }

    private static void fillPostgres(ScratchDatabase db) {
        db.execute(
                "CREATE SEQUENCE invoice_number START 1000",
                "CREATE TABLE customer (id serial PRIMARY KEY, name text NOT NULL, city text)",
                "CREATE TABLE invoice (id bigserial PRIMARY KEY, number bigint NOT NULL DEFAULT nextval('invoice_number'),"
                        + " customer_id int REFERENCES customer(id), total numeric(12,2))",
                "INSERT INTO customer (name, city) SELECT 'Cliente ' || g, (ARRAY['São Paulo','Zürich','東京'])[1 + g % 3]"
                        + " FROM generate_series(1, 2000) g",
                "INSERT INTO invoice (customer_id, total) SELECT 1 + g % 2000, g * 0.37 FROM generate_series(1, 5000) g",
                "CREATE VIEW big_invoices AS SELECT * FROM invoice WHERE total > 1000",
                "CREATE FUNCTION invoice_total(i bigint) RETURNS numeric LANGUAGE sql AS 'SELECT total FROM invoice WHERE id = i'",
                "CREATE FUNCTION keep_positive() RETURNS trigger LANGUAGE plpgsql AS"
                        + " 'BEGIN NEW.total := abs(NEW.total); RETURN NEW; END'",
                "CREATE TRIGGER invoice_positive BEFORE INSERT ON invoice FOR EACH ROW EXECUTE FUNCTION keep_positive()");
    }

    /** Every table's rows (count and checksum), and the names of views, routines, triggers and sequences. */
    private static Map<String, String> fingerprint(ScratchDatabase db) throws Exception {
        boolean postgres = db.port() == 5432;
        String schema = postgres ? "'public'" : "DATABASE()";
        Map<String, String> out = new TreeMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String table : strings(s, "SELECT table_name FROM information_schema.tables WHERE table_schema = " + schema
                    + " AND table_type = 'BASE TABLE'")) {
                String sql = postgres
                        ? "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM " + table + " t"
                        : "SELECT COUNT(*), (SELECT 0) FROM " + table;
                try (ResultSet rs = s.executeQuery(sql)) {
                    rs.next();
                    out.put(table, rs.getLong(1) + " rows " + rs.getString(2));
                }
                if (!postgres) {
                    try (ResultSet rs = s.executeQuery("CHECKSUM TABLE " + table)) {
                        rs.next();
                        out.put(table, out.get(table) + ", checksum " + rs.getLong(2));
                    }
                }
            }
            out.put("views", String.join(",", strings(s, "SELECT table_name FROM information_schema.views WHERE table_schema = "
                    + schema + " ORDER BY 1")));
            out.put("routines", String.join(",", strings(s, "SELECT routine_name FROM information_schema.routines WHERE"
                    + " routine_schema = " + schema + " ORDER BY 1")));
            out.put("triggers", String.join(",", strings(s, "SELECT DISTINCT trigger_name FROM information_schema.triggers"
                    + " WHERE trigger_schema = " + schema + " ORDER BY 1")));
            if (postgres) {
                out.put("sequences", String.join(",", strings(s, "SELECT sequence_name || '=' || last_value FROM"
                        + " information_schema.sequences JOIN pg_sequences ON sequencename = sequence_name"
                        + " WHERE sequence_schema = 'public' ORDER BY 1")));
            }
        }
        return out;
    }

    private static List<String> strings(Statement s, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
