package io.backuprelay.database;

import io.backuprelay.format.reader.CappedInputStream;
import io.backuprelay.format.inventory.Inventory;
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
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.time.Duration;

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

    /**
     * A restore of a dump whose content is not trusted: the restore drill's. Its functions run in
     * constraints, defaults and index expressions as rows arrive, so it runs under a clock and a
     * byte count it cannot stretch, and a MariaDB dump's {@code DEFINER} clauses become
     * {@code CURRENT_USER} (a minimal drill user may not create objects for others).
     *
     * @param timeout        the tool is stopped after this long, and each statement on the server
     *                       is cancelled after it ({@code statement_timeout}, {@code max_statement_time})
     * @param maxPlainBytes  the restore stops when the plain dump grows past this (a decompression bomb)
     */
    public record Untrusted(Duration timeout, long maxPlainBytes) {

        public Untrusted {
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /** Feeds {@code dump} to the engine's client; {@code clean} drops what the dump recreates first (PostgreSQL). */
    public void feed(DatabaseTarget target, String password, boolean clean, InputStream dump)
            throws IOException, InterruptedException {
        feed(target, password, clean, dump, null);
    }

    /**
     * Feeds {@code dump}, within the limits of {@code untrusted} when it is not null. The MariaDB
     * client always runs with {@code --sandbox} (no shell escape nor file access from the stream)
     * and {@code --local-infile=0}.
     */
    public void feed(DatabaseTarget target, String password, boolean clean, InputStream dump, Untrusted untrusted)
            throws IOException, InterruptedException {
        CredentialFiles credentials = new CredentialFiles(Files.createTempDirectory(credentialsDir, "backuprelay-restore-"));
        Path secret = null;
        try {
            List<String> command = new ArrayList<>();
            Map<String, String> env = new HashMap<>();
            if (target.postgres()) {
                secret = credentials.pgPassFile(target.host(), target.port(), target.database(), target.user(), password);
                env.put("PGPASSFILE", secret.toString());
                if (untrusted != null) {
                    env.put("PGOPTIONS", "-c statement_timeout=" + untrusted.timeout().toMillis());
                }
                command.addAll(List.of(pgRestore(target, password).toString(), "--no-owner", "--exit-on-error",
                        "--no-password", "--host=" + target.host(), "--port=" + target.port(),
                        "--username=" + target.user(), "--dbname=" + target.database()));
                if (clean) {
                    command.addAll(List.of("--clean", "--if-exists"));
                }
            } else {
                secret = credentials.mariadbOptionsFile(target.host(), target.port(), target.user(), password);
                command.addAll(List.of("mariadb", "--defaults-extra-file=" + secret, "--default-character-set=utf8mb4",
                        "--sandbox", "--local-infile=0"));
                if (untrusted != null) {
                    command.add("--init-command=SET SESSION max_statement_time=" + Math.max(1, untrusted.timeout().toSeconds()));
                }
                command.addAll(List.of("--", target.database()));
            }
            ProcessBuilder builder = ChildEnvironment.apply(new ProcessBuilder(command), env)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process tool = builder.start();
            String name = command.getFirst().replaceFirst(".*/", "");
            AtomicBoolean outOfTime = new AtomicBoolean();
            Thread watchdog = untrusted == null ? null : Thread.ofVirtual().name("restore-watchdog").start(() -> {
                try {
                    if (!tool.waitFor(untrusted.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                        outOfTime.set(true);
                        stop(tool);
                    }
                } catch (InterruptedException e) {
                    // the restore ended first
                }
            });
            CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(tool.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            InputStream counted = untrusted == null ? dump : new CappedInputStream(target.postgres() ? dump
                    : new DefinerFilter(dump), untrusted.maxPlainBytes());
            try {
                try (OutputStream stdin = tool.getOutputStream()) {
                    counted.transferTo(stdin);
                } catch (CappedInputStream.Exceeded e) {
                    stop(tool);
                    throw new RestoreException(name + " was stopped: the archive expands past the restore's budget of "
                            + untrusted.maxPlainBytes() + " bytes");
                } catch (IOException e) {
                    // the tool stopped reading: its exit code and messages say why
                }
                int exit = tool.waitFor();
                if (outOfTime.get()) {
                    throw new RestoreException(name + " was stopped after the restore's time budget of "
                            + untrusted.timeout().toSeconds() + " s");
                }
                if (exit != 0) {
                    String message = errors.join().strip();
                    throw new RestoreException(name + " could not restore into " + target.describe() + " (exit " + exit
                            + "): " + masked(message.isEmpty() ? "no message" : cause(message), password));
                }
            } finally {
                if (tool.isAlive()) {
                    stop(tool);
                }
                if (watchdog != null) {
                    watchdog.interrupt();
                }
            }
        } finally {
            if (secret != null) {
                Files.deleteIfExists(secret);
            }
            Files.deleteIfExists(credentials.dir());
        }
    }

    /** The tool's error line (the server's {@code ERROR:}, not the context lines after it), else its last line. */
    static String cause(String stderr) {
        return stderr.lines().filter(line -> line.contains("ERROR")).findFirst()
                .map(line -> line.replaceFirst("^pg_restore: error: could not execute query: ", "").strip())
                .orElseGet(() -> stderr.lines().reduce((a, b) -> b).orElse(stderr));
    }

    private static void stop(Process tool) {
        tool.descendants().forEach(ProcessHandle::destroyForcibly);
        tool.destroyForcibly();
    }

    /** What the database holds now, with exact row counts. */
    public static Inventory inventory(DatabaseTarget target, String password) {
        return inventory(target, password, null);
    }

    /**
     * What the database holds now, each statement cancelled after {@code timeout} when it is not
     * null: counting the rows of a restored tenant's table may run the tenant's code (a row-level
     * security policy's function).
     */
    public static Inventory inventory(DatabaseTarget target, String password, Duration timeout) {
        try (Connection connection = connect(target, password, timeout)) {
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
        return connect(target, password, null);
    }

    private static Connection connect(DatabaseTarget target, String password, Duration statementTimeout)
            throws SQLException {
        Properties props = new Properties();
        if (statementTimeout != null && target.postgres()) {
            props.setProperty("options", "-c statement_timeout=" + statementTimeout.toMillis());
        } else if (statementTimeout != null) {
            props.setProperty("sessionVariables", "max_statement_time=" + Math.max(1, statementTimeout.toSeconds()));
        }
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
