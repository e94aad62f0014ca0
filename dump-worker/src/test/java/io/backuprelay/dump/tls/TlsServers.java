package io.backuprelay.dump.tls;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster and a MariaDB instance of the test's own, on loopback, with TLS switched on
 * and a certificate for {@code localhost} and {@code 127.0.0.1} signed by a CA the test made: the
 * machine's own servers run without TLS. Each refuses connections without TLS (PostgreSQL:
 * {@code hostnossl … reject}; MariaDB: a user that {@code REQUIRE SSL}), so a dump that succeeds ran
 * over TLS.
 */
final class TlsServers {

    private TlsServers() {
    }

    /** A CA and the server certificate it signed, in {@code dir}. */
    record Certificates(Path ca, Path cert, Path key) {

        static Certificates make(Path dir) throws IOException, InterruptedException {
            Path ext = dir.resolve("server.ext");
            Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                    + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
            run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                    "-days", "3", "-subj", "/CN=backuprelay test CA");
            run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                    "-subj", "/CN=localhost");
            run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", "server.pem", "-days", "3", "-extfile", "server.ext");
            return new Certificates(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"));
        }
    }

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    /** A cluster that takes only TLS connections on 127.0.0.1, user {@code postgres}, trust. */
    static final class Postgres implements AutoCloseable {

        private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
        private final Path dir;
        final int port;

        private Postgres(Path dir, int port) {
            this.dir = dir;
            this.port = port;
        }

        static Postgres start(Certificates certs) throws IOException, InterruptedException {
            Path dir = Files.createTempDirectory("backuprelay-tls-pg-");
            Path data = dir.resolve("data");
            Path cert = Files.copy(certs.cert(), dir.resolve("server.pem"));
            Path key = Files.copy(certs.key(), dir.resolve("server.key"));
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            if (ROOT) { // initdb and the server refuse to run as root: they run as postgres
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                for (Path path : List.of(dir, cert, key)) {
                    Files.setOwner(path, postgres);
                }
            }
            run(dir, asPostgres(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--no-sync"));
            Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\n"
                    + "hostssl all all 127.0.0.1/32 trust\n"
                    + "hostnossl all all 127.0.0.1/32 reject\n");
            int port = freePort();
            run(dir, asPostgres(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                    "-w", "-t", "60", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                    + " -c ssl=on -c ssl_cert_file=" + cert + " -c ssl_key_file=" + key + " -c fsync=off", "start"));
            return new Postgres(dir, port);
        }

        String jdbcUrl(String database) {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=require&user=postgres";
        }

        @Override
        public void close() throws Exception {
            run(dir, asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "stop"));
            delete(dir);
        }

        private static String[] asPostgres(String... command) {
            List<String> all = new ArrayList<>();
            if (ROOT) {
                all.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            all.addAll(List.of(command));
            return all.toArray(String[]::new);
        }
    }

    /** An instance on 127.0.0.1 whose user {@code tls_user} must come over TLS. */
    static final class MariaDb implements AutoCloseable {

        static final String USER = "tls_user";
        static final String PASSWORD = "Tls \"pass\" wörd";
        private final Path dir;
        private final Process server;
        final int port;

        private MariaDb(Path dir, Process server, int port) {
            this.dir = dir;
            this.server = server;
            this.port = port;
        }

        static MariaDb start(Certificates certs) throws IOException, InterruptedException {
            Path dir = Files.createTempDirectory("backuprelay-tls-mariadb-");
            Path data = dir.resolve("data");
            run(dir, "mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=" + System.getProperty("user.name"),
                    "--auth-root-authentication-method=normal", "--skip-test-db");
            int port = freePort();
            Path socket = dir.resolve("mariadb.sock");
            Process server = new ProcessBuilder("mariadbd", "--no-defaults", "--datadir=" + data, "--port=" + port,
                    "--bind-address=127.0.0.1", "--socket=" + socket, "--pid-file=" + dir.resolve("mariadb.pid"),
                    "--user=" + System.getProperty("user.name"), "--ssl-cert=" + certs.cert(), "--ssl-key=" + certs.key(),
                    "--ssl-ca=" + certs.ca(), "--skip-log-bin", "--innodb-buffer-pool-size=16M", "--skip-name-resolve",
                    "--log-error=" + dir.resolve("error.log"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile()).start();
            MariaDb instance = new MariaDb(dir, server, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    instance.root("SELECT 1");
                    break;
                } catch (IllegalStateException notYet) {
                    if (System.nanoTime() > deadline || !server.isAlive()) {
                        instance.close();
                        throw new IllegalStateException("The TLS MariaDB did not start: "
                                + Files.readString(dir.resolve("error.log")), notYet);
                    }
                    Thread.sleep(250);
                }
            }
            instance.root("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD.replace("\"", "\\\"") + "' REQUIRE SSL",
                    "GRANT ALL ON *.* TO '" + USER + "'@'%'");
            return instance;
        }

        /** Statements as root over the instance's socket. */
        void root(String... statements) throws IOException, InterruptedException {
            run(dir, "mariadb", "--no-defaults", "--socket=" + dir.resolve("mariadb.sock"), "-uroot",
                    "--default-character-set=utf8mb4", "-e", String.join("; ", statements));
        }

        @Override
        public void close() throws IOException, InterruptedException {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
            delete(dir);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
