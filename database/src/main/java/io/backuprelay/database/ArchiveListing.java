package io.backuprelay.database;

import io.backuprelay.database.DatabaseObject.Identity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists what a plain dump holds while it streams past, without storing or reading it again:
 * {@code pg_restore --list} reading a pg_dump custom archive on its standard input, or a scan of
 * the start of each line of a {@code mariadb-dump} SQL stream. Objects are listed by their
 * {@link DatabaseObject.Identity}, never by splitting names out of text; the SQL stream's rows are
 * also counted (a pg_dump table of contents holds no row counts).
 */
public sealed interface ArchiveListing permits ArchiveListing.PgRestoreList, ArchiveListing.SqlStream {

    /** Sees the next bytes of the plain dump; never fails the dump (a listing that failed says so in {@link #finish}). */
    void accept(byte[] bytes, int offset, int length);

    /** What the dump held; call once, after the last byte. */
    Listed finish() throws IOException, InterruptedException;

    /** Stops whatever the listing runs, when the dump is abandoned. */
    default void abandon() {
    }

    /** {@code pg_restore --list} of the matching major version, reading the archive's table of contents. */
    static ArchiveListing pgRestoreList(Path pgRestore) throws IOException {
        return new PgRestoreList(pgRestore);
    }

    static ArchiveListing sqlStream() {
        return new SqlStream();
    }

    /**
     * @param identities every object the archive creates
     * @param rows       each table the archive creates, with the rows it inserts (empty for a pg_dump
     *                   archive, whose table of contents holds no row counts)
     */
    record Listed(Set<Identity> identities, Map<String, Long> rows) {

        public Listed {
            identities = Set.copyOf(identities);
            rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        }
    }

    /**
     * pg_restore reads the header and the table of contents from the front of the stream and
     * then stops reading; the rest of the dump is not sent to it.
     */
    final class PgRestoreList implements ArchiveListing {

        /** {@code 216; 1259 18057 TABLE Sales Ops Orders postgres}: entry, catalog OID, object OID, then unquoted text. */
        private static final Pattern ENTRY = Pattern.compile("^\\d+; (\\d+) (\\d+) ");

        private final Process process;
        private final OutputStream stdin;
        private final CompletableFuture<String> stdout;
        private final CompletableFuture<String> stderr;
        private boolean open = true;

        PgRestoreList(Path pgRestore) throws IOException {
            ProcessBuilder builder = ChildEnvironment.apply(new ProcessBuilder(pgRestore.toString(), "--list"), Map.of());
            process = builder.start();
            stdin = process.getOutputStream();
            stdout = read(process.getInputStream());
            stderr = read(process.getErrorStream());
        }

        @Override
        public void accept(byte[] bytes, int offset, int length) {
            if (!open) {
                return;
            }
            try {
                stdin.write(bytes, offset, length);
            } catch (IOException e) {
                open = false; // it has read the table of contents and exited: nothing more to send
            }
        }

        @Override
        public Listed finish() throws IOException, InterruptedException {
            close();
            int exit = process.waitFor();
            String listing = stdout.join();
            if (exit != 0) {
                throw new IOException("pg_restore --list could not read the archive (exit " + exit + "): "
                        + stderr.join().strip());
            }
            return parse(listing);
        }

        @Override
        public void abandon() {
            close();
            process.destroyForcibly();
        }

        private void close() {
            open = false;
            try {
                stdin.close();
            } catch (IOException ignored) {
                // it exited already
            }
        }

        /**
         * Each entry that defines an object carries the catalog and OID of that object, whatever its
         * name; entries that only add to an object (its data, a sequence's value, a comment) carry 0.
         */
        static Listed parse(String listing) {
            Set<Identity> identities = new HashSet<>();
            for (String line : listing.lines().toList()) {
                Matcher entry = ENTRY.matcher(line);
                if (entry.lookingAt() && !entry.group(1).equals("0")) {
                    identities.add(Identity.oid(Long.parseLong(entry.group(1)), Long.parseLong(entry.group(2))));
                }
            }
            return new Listed(identities, Map.of());
        }
    }

    /**
     * Recognizes mariadb-dump's statements by how their lines start (lines are kept up to 4 KiB),
     * and counts the rows of each {@code INSERT INTO `t` VALUES (..),(..);}: the top-level
     * parentheses outside quoted strings. These are the rows a restore of the archive gives. Names
     * are read as SQL quotes them: in backticks, a backtick inside doubled, anything else as it is.
     */
    final class SqlStream implements ArchiveListing {

        private static final String NAME = "`((?:[^`]|``)+)`";
        /** A trigger's names are written bare by older dump tools. */
        private static final String NAME_OR_BARE = "(?:" + NAME + "|(\\S+))";
        private static final String DEFINER = "DEFINER=(?:`(?:[^`]|``)*`|[^`\\s])+";
        private static final Pattern TABLE = Pattern.compile("^CREATE TABLE " + NAME);
        private static final Pattern SEQUENCE = Pattern.compile("^CREATE SEQUENCE " + NAME);
        private static final Pattern VIEW = Pattern.compile("^/\\*!50001 VIEW " + NAME + " AS");
        private static final Pattern ROUTINE = Pattern.compile(
                "^CREATE " + DEFINER + " (?:AGGREGATE )?(FUNCTION|PROCEDURE) " + NAME);
        private static final Pattern TRIGGER = Pattern.compile(
                "^/\\*!50003 CREATE\\*/ .*?/\\*!50003 TRIGGER " + NAME_OR_BARE + " (?:BEFORE|AFTER) ");
        private static final Pattern EVENT = Pattern.compile("^/\\*!50106 CREATE\\*/ .*?/\\*!50106 EVENT " + NAME);
        private static final Pattern INSERT = Pattern.compile("^INSERT INTO " + NAME + " VALUES\\s*$");
        private static final int KEPT = 4096;

        private final byte[] line = new byte[KEPT];
        private int length;
        private final Map<String, Long> tables = new LinkedHashMap<>();
        private final Set<Identity> identities = new HashSet<>();
        private String inserting;
        private long insertRows;
        private int depth;
        private byte quote;
        private boolean escaped;
        private boolean skipLine;

        @Override
        public void accept(byte[] bytes, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                byte b = bytes[i];
                if (inserting != null) {
                    insertByte(b);
                } else if (b == '\n') {
                    endOfLine();
                } else if (skipLine) {
                    continue;
                } else if (b == '(' && startsInsert()) {
                    insertByte(b);
                } else if (length < KEPT) {
                    line[length++] = b;
                }
            }
        }

        /** At the first row of an INSERT: the line so far is {@code INSERT INTO `t` VALUES }. */
        private boolean startsInsert() {
            if (length < 20 || line[0] != 'I') {
                return false;
            }
            Matcher m = INSERT.matcher(new String(line, 0, length, StandardCharsets.UTF_8));
            if (!m.matches()) {
                return false;
            }
            inserting = unquote(m.group(1));
            insertRows = 0;
            depth = 0;
            quote = 0;
            escaped = false;
            length = 0;
            return true;
        }

        private void insertByte(byte b) {
            if (quote != 0) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == quote) {
                    quote = 0;
                }
            } else if (b == '\'' || b == '"') {
                quote = b;
            } else if (b == '(') {
                if (depth++ == 0) {
                    insertRows++;
                }
            } else if (b == ')') {
                depth--;
            } else if (b == ';' && depth == 0) {
                tables.merge(inserting, insertRows, (before, added) -> Math.max(before, 0) + added);
                inserting = null;
                skipLine = true; // the rest of the statement's line
            }
        }

        private void endOfLine() {
            if (length > 0 && line[0] == 'I' && startsInsert()) {
                return; // the rows follow on the next lines
            }
            skipLine = false;
            if (length > 0 && (line[0] == 'C' || line[0] == '/')) {
                statement(new String(line, 0, length, StandardCharsets.UTF_8));
            }
            length = 0;
        }

        private void statement(String text) {
            String table = named(TABLE, "table", text);
            if (table != null) {
                tables.put(table, 0L);
            }
            named(SEQUENCE, "sequence", text);
            named(VIEW, "view", text);
            named(EVENT, "event", text);
            Matcher routine = ROUTINE.matcher(text);
            if (routine.lookingAt()) {
                identities.add(Identity.named(routine.group(1), unquote(routine.group(2))));
            }
            Matcher trigger = TRIGGER.matcher(text);
            if (trigger.lookingAt()) {
                identities.add(Identity.named("trigger",
                        trigger.group(1) != null ? unquote(trigger.group(1)) : trigger.group(2)));
            }
        }

        private String named(Pattern pattern, String statement, String text) {
            Matcher m = pattern.matcher(text);
            if (!m.lookingAt()) {
                return null;
            }
            String name = unquote(m.group(1));
            identities.add(Identity.named(statement, name));
            return name;
        }

        private static String unquote(String name) {
            return name.replace("``", "`");
        }

        @Override
        public Listed finish() {
            endOfLine();
            return new Listed(identities, tables);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        });
        return text;
    }
}
