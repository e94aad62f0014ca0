package io.backuprelay.database;

import io.backuprelay.common.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the dump tools' password and option files live while a dump runs: a directory readable by
 * this user only, one per worker instance, emptied when the instance starts, so the files of a
 * worker that was killed mid-dump do not outlive its restart.
 */
public final class CredentialFiles {

    private static final Logger log = LoggerFactory.getLogger(CredentialFiles.class);

    private final Path dir;

    public CredentialFiles(Path dir) {
        this.dir = dir;
    }

    /** A directory of this instance's under the system's temporary directory. */
    public static CredentialFiles forInstance(String instanceId) {
        return new CredentialFiles(Path.of(System.getProperty("java.io.tmpdir"), "backuprelay-credentials", instanceId));
    }

    public Path dir() {
        return dir;
    }

    /** Removes what an earlier run of this instance left; call once at start, before any dump. */
    public int sweep() throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        }
        if (removed > 0) {
            log.info("Removed {} credential file(s) left by an earlier run in {}", removed, dir);
        }
        return removed;
    }

    /**
     * libpq's password file for one connection: {@code host:port:database:username:password}, with
     * ':' and '\' escaped in each field. The caller deletes it.
     */
    public Path pgPassFile(String host, int port, String database, String user, String password) throws IOException {
        noLineBreaks(host, database, user, password);
        String line = String.join(":", pgEscape(host), Integer.toString(port), pgEscape(database), pgEscape(user),
                pgEscape(password == null ? "" : password));
        return write(".pgpass", line + "\n");
    }

    /**
     * The {@code [client]} options file of the MariaDB/MySQL tools, values quoted. A value with a
     * control character (a line break would start another option, e.g. {@code result-file=}) is
     * refused. The caller deletes it.
     */
    public Path mariadbOptionsFile(String host, int port, String user, String password) throws IOException {
        return mariadbOptionsFile(host, port, user, password, List.of());
    }

    /** @param more further {@code [client]} lines (TLS settings), each one option */
    public Path mariadbOptionsFile(String host, int port, String user, String password, List<String> more)
            throws IOException {
        noLineBreaks(host, user, password);
        noLineBreaks(more.toArray(String[]::new));
        return write(".cnf", "[client]\n"
                + "host=" + quote(host) + "\n"
                + "port=" + port + "\n"
                + "user=" + quote(user) + "\n"
                + "password=" + quote(password == null ? "" : password) + "\n"
                + "protocol=TCP\n"
                + more.stream().map(line -> line + "\n").collect(Collectors.joining()));
    }

    /** Each line of these files is one setting: a value may not hold a control character. */
    private static void noLineBreaks(String... values) {
        for (String value : values) {
            if (value != null && value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("A database setting holds a control character (such as a line"
                        + " break); it is refused rather than written into a credentials file");
            }
        }
    }

    private static String pgEscape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A new file readable by this user only, holding {@code content}; the caller deletes it. */
    public Path write(String suffix, String content) throws IOException {
        PrivateFiles.directory(dir);
        Path file = Files.createTempFile(dir, "backuprelay-", suffix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
