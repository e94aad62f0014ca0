package io.backuprelay.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists what a plain dump holds while it streams past, without storing or reading it again:
 * {@code pg_restore --list} reading a pg_dump custom archive on its standard input, or a scan of
 * the start of each line of a {@code mariadb-dump} SQL stream. A pg_dump table of contents holds
 * no row counts, so its tables are {@link Inventory#NOT_COUNTED}; the SQL stream's rows are counted.
 */
public sealed interface ArchiveListing permits ArchiveListing.PgRestoreList, ArchiveListing.SqlStream {

    /** Sees the next bytes of the plain dump; never fails the dump (a listing that failed says so in {@link #finish}). */
    void accept(byte[] bytes, int offset, int length);

    /** What the dump held; call once, after the last byte. */
    Inventory finish() throws IOException, InterruptedException;

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
     * pg_restore reads the header and the table of contents from the front of the stream and
     * then stops reading; the rest of the dump is not sent to it.
     */
    final class PgRestoreList implements ArchiveListing {

        private static final List<String> TYPES = List.of("MATERIALIZED VIEW DATA", "MATERIALIZED VIEW", "TABLE DATA",
                "TABLE", "VIEW", "SEQUENCE SET", "SEQUENCE OWNED BY", "SEQUENCE", "FUNCTION", "PROCEDURE", "AGGREGATE",
                "TRIGGER", "EXTENSION", "SCHEMA");

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
        public Inventory finish() throws IOException, InterruptedException {
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

        /** Lines such as {@code 255; 1255 16447 FUNCTION public f(integer) postgres}. */
        static Inventory parse(String listing) {
            List<String> schemas = new ArrayList<>();
            java.util.Map<String, Long> tables = new java.util.LinkedHashMap<>();
            List<String> views = new ArrayList<>();
            List<String> sequences = new ArrayList<>();
            List<String> routines = new ArrayList<>();
            List<String> triggers = new ArrayList<>();
            List<String> extensions = new ArrayList<>();
            for (String line : listing.lines().toList()) {
                Matcher entry = Pattern.compile("^\\d+; \\d+ \\d+ (.*)$").matcher(line);
                if (!entry.matches()) {
                    continue;
                }
                String rest = entry.group(1);
                String type = TYPES.stream().filter(t -> rest.startsWith(t + " ")).findFirst().orElse(null);
                if (type == null) {
                    continue;
                }
                String[] words = rest.substring(type.length() + 1).split(" ");
                String schema = words[0];
                // the tag sits between the schema and the owner (empty for an extension)
                String tag = String.join(" ", java.util.Arrays.copyOfRange(words, 1, Math.max(2, words.length - 1)));
                switch (type) {
                    case "SCHEMA" -> schemas.add(tag);
                    case "TABLE" -> tables.put(schema + "." + tag, Inventory.NOT_COUNTED);
                    case "VIEW", "MATERIALIZED VIEW" -> views.add(schema + "." + tag);
                    case "SEQUENCE" -> sequences.add(schema + "." + tag);
                    case "FUNCTION", "PROCEDURE", "AGGREGATE" -> routines.add(schema + "." + tag.replaceFirst("\\(.*$", ""));
                    case "TRIGGER" -> triggers.add(schema + "." + tag.replaceFirst(" ", "."));
                    case "EXTENSION" -> extensions.add(words.length > 1 ? words[1] : tag);
                    default -> {
                    }
                }
            }
            schemas.remove("public");
            extensions.remove("plpgsql");
            return new Inventory(schemas, tables, views, sequences, routines, triggers, List.of(), extensions);
        }
    }

    /**
     * Recognizes mariadb-dump's statements by how their lines start (lines are cut at 512 bytes),
     * and counts the rows of each {@code INSERT INTO `t` VALUES (..),(..);}: the top-level
     * parentheses outside quoted strings. These are the rows a restore of the archive gives.
     */
    final class SqlStream implements ArchiveListing {

        private static final Pattern TABLE = Pattern.compile("^CREATE TABLE `((?:[^`]|``)+)`");
        private static final Pattern SEQUENCE = Pattern.compile("^CREATE SEQUENCE `((?:[^`]|``)+)`");
        private static final Pattern VIEW = Pattern.compile("^/\\*!50001 VIEW `((?:[^`]|``)+)` AS");
        private static final Pattern ROUTINE = Pattern.compile("^CREATE DEFINER=\\S+ (?:FUNCTION|PROCEDURE) `((?:[^`]|``)+)`");
        private static final Pattern TRIGGER = Pattern.compile(
                "^/\\*!50003 CREATE\\*/ .*?/\\*!50003 TRIGGER `?((?:[^`\\s]|``)+)`? (?:BEFORE|AFTER) \\w+ ON `?((?:[^`\\s]|``)+)`?");
        private static final Pattern EVENT = Pattern.compile("^/\\*!50106 CREATE\\*/ .*?/\\*!50106 EVENT `((?:[^`]|``)+)`");
        private static final int KEPT = 512;

        private final byte[] line = new byte[KEPT];
        private int length;
        private final java.util.Map<String, Long> tables = new java.util.LinkedHashMap<>();
        private final List<String> views = new ArrayList<>();
        private final List<String> sequences = new ArrayList<>();
        private final List<String> routines = new ArrayList<>();
        private final List<String> triggers = new ArrayList<>();
        private final List<String> events = new ArrayList<>();
        private static final Pattern INSERT = Pattern.compile("^INSERT INTO `((?:[^`]|``)+)` VALUES\\s*$");
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
                String text = new String(line, 0, length, StandardCharsets.UTF_8);
                match(TABLE, text, (table, rows) -> tables.put(table, 0L));
                match(SEQUENCE, text, sequences);
                match(VIEW, text, views);
                match(ROUTINE, text, routines);
                match(EVENT, text, events);
                Matcher trigger = TRIGGER.matcher(text);
                if (trigger.find()) {
                    triggers.add(unquote(trigger.group(2)) + "." + unquote(trigger.group(1)));
                }
            }
            length = 0;
        }

        private static void match(Pattern pattern, String text, List<String> into) {
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                into.add(unquote(m.group(1)));
            }
        }

        private static void match(Pattern pattern, String text, java.util.function.BiConsumer<String, Long> into) {
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                into.accept(unquote(m.group(1)), Inventory.NOT_COUNTED);
            }
        }

        private static String unquote(String name) {
            return name.replace("``", "`");
        }

        @Override
        public Inventory finish() {
            endOfLine();
            return new Inventory(List.of(), tables, views, sequences, routines, triggers, events, List.of());
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
