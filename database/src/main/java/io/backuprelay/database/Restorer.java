package io.backuprelay.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * Puts a plain dump into a database: {@code pg_restore} (of the server's major version or newer)
 * or {@code mariadb}, reading it on standard input, with the password in a private file. Used by
 * the restore command and by the restore drill.
 */
public final class Restorer {

    private final PgTools pgTools;
    private final Path credentialsDir;

    public Restorer(PgTools pgTools, Path credentialsDir) {
        this.pgTools = pgTools;
        this.credentialsDir = credentialsDir;
    }

    public static Restorer standard() {
        return new Restorer(PgTools.debian(), Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Feeds {@code dump} to the engine's client; {@code clean} drops what the dump recreates first (PostgreSQL). */
    public void feed(DatabaseTarget target, String password, boolean clean, InputStream dump)
            throws IOException, InterruptedException {
        CredentialFiles credentials = new CredentialFiles(Files.createTempDirectory(credentialsDir, "backuprelay-restore-"));
        Path secret = null;
        try {
            List<String> command = new ArrayList<>();
            Map<String, String> env = new HashMap<>();
            if (target.postgres()) {
                secret = credentials.pgPassFile(target.host(), target.port(), target.database(), target.user(), password);
                env.put("PGPASSFILE", secret.toString());
                command.addAll(List.of(pgRestore(target, password).toString(), "--no-owner", "--exit-on-error",
                        "--no-password", "--host=" + target.host(), "--port=" + target.port(),
                        "--username=" + target.user(), "--dbname=" + target.database()));
                if (clean) {
                    command.addAll(List.of("--clean", "--if-exists"));
                }
            } else {
                secret = credentials.mariadbOptionsFile(target.host(), target.port(), target.user(), password);
                command.addAll(List.of("mariadb", "--defaults-extra-file=" + secret, "--default-character-set=utf8mb4",
                        "--", target.database()));
            }
            ProcessBuilder builder = ChildEnvironment.apply(new ProcessBuilder(command), env)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process tool = builder.start();
            CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(tool.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            try (OutputStream stdin = tool.getOutputStream()) {
                dump.transferTo(stdin);
            } catch (IOException e) {
                // the tool stopped reading: its exit code and messages say why
            }
            int exit = tool.waitFor();
            if (exit != 0) {
                String message = errors.join().strip();
                throw new RestoreException(command.getFirst().replaceFirst(".*/", "") + " could not restore into "
                        + target.describe() + " (exit " + exit + "): "
                        + masked(message.isEmpty() ? "no message" : message.lines().reduce((a, b) -> b).orElse(message),
                        password));
            }
        } finally {
            if (secret != null) {
                Files.deleteIfExists(secret);
            }
            Files.deleteIfExists(credentials.dir());
        }
    }

    /** What the database holds now, with exact row counts. */
    public static Inventory inventory(DatabaseTarget target, String password) {
        try (Connection connection = connect(target, password)) {
            return target.postgres() ? InventoryReader.postgres(connection, null, true)
                    : InventoryReader.mariadb(connection, true);
        } catch (SQLException e) {
            throw unreachable(target, password, e);
        }
    }

    /** Tables in the database, to refuse a non-empty target. */
    public static long tableCount(DatabaseTarget target, String password) {
        String sql = target.postgres()
                ? "SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
                        + " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                : "SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema = DATABASE()";
        try (Connection connection = connect(target, password);
             Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw unreachable(target, password, e);
        }
    }

    public static Connection connect(DatabaseTarget target, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", target.user());
        props.setProperty("password", password == null ? "" : password);
        props.setProperty("connectTimeout", target.postgres() ? "15" : "15000");
        return DriverManager.getConnection(target.jdbcUrl(), props);
    }

    private Path pgRestore(DatabaseTarget target, String password) {
        try (Connection connection = connect(target, password); Statement statement = connection.createStatement();
             ResultSet version = statement.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            version.next();
            return pgTools.forServerMajor(version.getInt(1)).resolveSibling("pg_restore");
        } catch (SQLException e) {
            throw unreachable(target, password, e);
        } catch (ToolMissingException e) {
            throw new RestoreException(e.getMessage(), e);
        }
    }

    private static RestoreException unreachable(DatabaseTarget target, String password, SQLException e) {
        return new RestoreException("Cannot reach the target database " + target.describe() + ": "
                + masked(String.valueOf(e.getMessage()), password), e);
    }

    private static String masked(String text, String password) {
        return password == null || password.isEmpty() ? text : text.replace(password, "***");
    }
}
