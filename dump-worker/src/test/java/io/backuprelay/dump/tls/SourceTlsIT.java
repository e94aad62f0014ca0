package io.backuprelay.dump.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.account.TlsMode;
import io.backuprelay.database.CredentialFiles;
import io.backuprelay.database.PgTools;
import io.backuprelay.dump.runner.DumpFailedException;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.runner.SourceTls;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.dump.mariadb.MariaDbDumpRunner;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.dump.postgres.PostgresProbe;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account's TLS mode, against servers of the test's own that take only TLS (and the machine's
 * own, which have none): REQUIRE and VERIFY_FULL dump over TLS, VERIFY_FULL refuses a certificate no
 * trusted CA signed, and REQUIRE never gives a server without TLS the chance to ask for the password.
 */
class SourceTlsIT {

    private static final String SYSTEM_CAS = "/etc/ssl/certs/ca-certificates.crt";
    private static final SourceTls SYSTEM_TRUST = new SourceTls(Path.of(SYSTEM_CAS));

    @TempDir
    static Path work;
    @TempDir
    Path staging;

    private static TlsServers.Certificates certs;
    private static TlsServers.Postgres postgres;
    private static TlsServers.MariaDb mariadb;

    @BeforeAll
    static void start() throws Exception {
        certs = TlsServers.Certificates.make(work);
        postgres = TlsServers.Postgres.start(certs);
        mariadb = TlsServers.MariaDb.start(certs);
    }

    @AfterAll
    static void stop() throws Exception {
        if (mariadb != null) {
            mariadb.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void postgresRequireAndVerifyFullDumpOverTlsAndDisableIsRefusedByAServerThatInsists() throws Exception {
        String database = "tls_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"));
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(database));
             Statement statement = db.createStatement()) {
            statement.execute("CREATE SCHEMA \"Sales Ops\"");
            statement.execute("CREATE TABLE \"Sales Ops\".\"Orders\" (id serial PRIMARY KEY, customer text)");
            statement.execute("INSERT INTO \"Sales Ops\".\"Orders\" (customer) SELECT 'Müller ' || g FROM generate_series(1, 200) g");
        }

        DumpRunner.Dumped required = pgRunner(SYSTEM_TRUST).dump(pgSource(database, TlsMode.REQUIRE), "", sink(), job());
        DumpRunner.Dumped verified = pgRunner(ownCa()).dump(pgSource(database, TlsMode.VERIFY_FULL), "", sink(), job());

        assertThat(required.archive().sizeBytes()).isPositive();
        assertThat(verified.inventory().toString()).contains("Orders");
        assertThatThrownBy(() -> pgRunner(ownCa()).dump(pgSource(database, TlsMode.DISABLE), "", sink(), job()))
                .as("the server takes TLS only: DISABLE really sends none").isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("127.0.0.1:" + postgres.port);
    }

    @Test
    void verifyFullRefusesACertificateNoTrustedCaSignedAndSaysWhy() {
        PostgresProbe trustingTheSystem = new PostgresProbe(SYSTEM_TRUST);
        PostgresProbe trustingNoFile = new PostgresProbe(new SourceTls(work.resolve("no-such-bundle.pem")));

        assertThatThrownBy(() -> trustingTheSystem.connect(pgSource("postgres", TlsMode.VERIFY_FULL), "",
                Duration.ofSeconds(10)))
                .isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("certificate").hasMessageContaining(SYSTEM_CAS);
        assertThatThrownBy(() -> trustingNoFile.connect(pgSource("postgres", TlsMode.VERIFY_FULL), "",
                Duration.ofSeconds(10)))
                .hasMessageContaining("no-such-bundle.pem").hasMessageContaining("SOURCE_TLS_CA_FILE");
    }

    /**
     * A server without TLS that asks for the password in clear, as a re-pointed host or someone on
     * the path would: with PREFER (the default) the client goes on without TLS and hands the password
     * over; with REQUIRE it hangs up after the server said it has no TLS, before saying who it is.
     */
    @Test
    void requireNeverHandsThePasswordToAServerWithoutTls() throws Exception {
        String password = "S3cret-" + UUID.randomUUID();
        PostgresProbe probe = new PostgresProbe(SYSTEM_TRUST);

        CompletableFuture<String> underRequire = FakeServer.askForThePasswordInClear();
        assertThatThrownBy(() -> probe.connect(fakeSource(underRequire, TlsMode.REQUIRE), password,
                Duration.ofSeconds(10))).isInstanceOf(DumpFailedException.class)
                .hasMessageContaining("does not offer TLS").hasMessageContaining("REQUIRE");
        CompletableFuture<String> underPrefer = FakeServer.askForThePasswordInClear();
        assertThatThrownBy(() -> probe.connect(fakeSource(underPrefer, TlsMode.PREFER), password,
                Duration.ofSeconds(10))).isInstanceOf(DumpFailedException.class);

        assertThat(underRequire.get(10, TimeUnit.SECONDS)).as("what the server heard under REQUIRE")
                .isEqualTo("SSLRequest").doesNotContain(password);
        assertThat(underPrefer.get(10, TimeUnit.SECONDS)).as("what the server heard under PREFER").contains(password);
        assertThatThrownBy(() -> probe.connect(new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", 5432,
                "postgres", "postgres", null, null, TlsMode.REQUIRE), "", Duration.ofSeconds(10)))
                .as("the machine's own PostgreSQL, without TLS").hasMessageContaining("does not offer TLS");
    }

    @Test
    void mariadbRequireAndVerifyFullDumpOverTlsAndAServerWithoutTlsIsRefused() throws Exception {
        String database = "tls_" + UUID.randomUUID().toString().substring(0, 8);
        mariadb.root("CREATE DATABASE " + database, "CREATE TABLE " + database + ".`Sales Orders` (id INT PRIMARY KEY,"
                + " customer VARCHAR(40))", "INSERT INTO " + database + ".`Sales Orders` VALUES (1, 'Müller'), (2, 'O''Brien')");

        DumpRunner.Dumped required = mariaRunner(SYSTEM_TRUST).dump(mariaSource(database, TlsMode.REQUIRE),
                TlsServers.MariaDb.PASSWORD, sink(), job());
        DumpRunner.Dumped verified = mariaRunner(ownCa()).dump(mariaSource(database, TlsMode.VERIFY_FULL),
                TlsServers.MariaDb.PASSWORD, sink(), job());

        assertThat(Files.size(required.archive().path())).isPositive();
        assertThat(verified.inventory().toString()).contains("Sales Orders"); // the table, over a verified connection
        assertThatThrownBy(() -> mariaRunner(SYSTEM_TRUST).dump(mariaSource(database, TlsMode.VERIFY_FULL),
                TlsServers.MariaDb.PASSWORD, sink(), job())).isInstanceOf(DumpFailedException.class).hasMessageContaining("certificate");
        assertThatThrownBy(() -> mariaRunner(SYSTEM_TRUST).dump(new SourceDatabase(Engine.MARIADB, "127.0.0.1", 3306,
                "mysql", "root", null, null, TlsMode.REQUIRE), "", sink(), job()))
                .as("the machine's own MariaDB, without TLS").hasMessageContaining("does not offer TLS");
    }

    private static SourceDatabase pgSource(String database, TlsMode mode) {
        return new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", postgres.port, database, "postgres", null, null, mode);
    }

    private static SourceDatabase mariaSource(String database, TlsMode mode) {
        return new SourceDatabase(Engine.MARIADB, "127.0.0.1", mariadb.port, database, TlsServers.MariaDb.USER,
                null, null, mode);
    }

    private static SourceDatabase fakeSource(CompletableFuture<String> server, TlsMode mode) {
        return new SourceDatabase(Engine.POSTGRESQL, "127.0.0.1", FakeServer.portOf(server), "app", "backup",
                null, null, mode);
    }

    /** Trusting only the test's own CA, which signed its servers' certificates. */
    private static SourceTls ownCa() {
        return new SourceTls(certs.ca());
    }

    private static PgDumpRunner pgRunner(SourceTls tls) {
        return new PgDumpRunner(PgTools.debian(), CredentialFiles.forInstance("tls-test"), tls);
    }

    private static MariaDbDumpRunner mariaRunner(SourceTls tls) {
        return MariaDbDumpRunner.standard(CredentialFiles.forInstance("tls-test"), tls);
    }

    private ArchiveSink sink() {
        return new ArchiveSink(staging, 3);
    }

    private static DumpJob job() {
        return new DumpJob("b-" + UUID.randomUUID(), List.of(), Duration.ofMinutes(1), null);
    }

    /**
     * One connection of PostgreSQL's protocol: it answers the TLS request with "no", then asks for the
     * password in clear text, and tells what it heard.
     */
    static final class FakeServer {

        private static final Map<CompletableFuture<String>, Integer> PORTS = new ConcurrentHashMap<>();

        static int portOf(CompletableFuture<String> server) {
            return PORTS.get(server);
        }

        static CompletableFuture<String> askForThePasswordInClear() throws IOException {
            ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            CompletableFuture<String> heard = new CompletableFuture<>();
            PORTS.put(heard, listener.getLocalPort());
            Thread.ofVirtual().start(() -> {
                try (listener; Socket client = listener.accept()) {
                    client.setSoTimeout(10_000);
                    DataInputStream in = new DataInputStream(client.getInputStream());
                    OutputStream out = client.getOutputStream();
                    StringBuilder said = new StringBuilder();
                    int length = in.readInt();
                    int code = in.readInt();
                    if (length == 8 && code == 80877103) {
                        said.append("SSLRequest");
                        out.write('N');
                        out.flush();
                    }
                    int startup;
                    try {
                        startup = in.readInt();
                    } catch (IOException hungUp) {
                        heard.complete(said.toString());
                        return;
                    }
                    byte[] rest = in.readNBytes(startup - 4);
                    said.append(" startup ").append(new String(rest, StandardCharsets.UTF_8).replace('\0', ' '));
                    out.write(new byte[] {'R', 0, 0, 0, 8, 0, 0, 0, 3}); // AuthenticationCleartextPassword
                    out.flush();
                    ByteArrayOutputStream answer = new ByteArrayOutputStream();
                    int type = in.read();
                    if (type == 'p') {
                        int size = in.readInt();
                        answer.write(in.readNBytes(size - 4));
                    }
                    said.append(" password ").append(answer.toString(StandardCharsets.UTF_8).replace('\0', ' '));
                    heard.complete(said.toString());
                } catch (IOException e) {
                    heard.completeExceptionally(e);
                }
            });
            return heard;
        }
    }
}
