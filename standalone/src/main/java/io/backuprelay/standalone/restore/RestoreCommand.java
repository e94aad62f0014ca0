package io.backuprelay.standalone.restore;

import io.backuprelay.common.account.DatabaseEngine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.json.Json;
import io.backuprelay.dump.CredentialFiles;
import io.backuprelay.dump.DumpFailedException;
import io.backuprelay.dump.postgres.PgDumpTools;
import io.backuprelay.dump.postgres.PostgresProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ./backuprelay restore --blob-url <SAS URL> (--to <database URL> | --to-file <path>)
 * [--manifest-url <SAS URL>] [--identity key.txt] [--clean]}: needs no broker. Streams the blob,
 * checks its SHA-256 against the manifest, decrypts it with the age identity, decompresses it, and
 * feeds it to {@code pg_restore} or {@code mariadb} (or writes the plain dump); refuses a non-empty
 * database unless {@code --clean}; then compares the restored tables with the manifest.
 */
public final class RestoreCommand {

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(15)).build();

    public RestoreCommand(PrintStream out, PrintStream err, Map<String, String> environment) {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    /** @return the exit code: 0 restored and checked, 1 failed (the reason printed), 2 wrong arguments */
    public int run(String... args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (RestoreException e) {
            err.println("restore: " + e.getMessage());
            err.println(Options.USAGE);
            return 2;
        }
        try {
            restore(options);
            return 0;
        } catch (RestoreException e) {
            err.println("restore failed: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("restore failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("restore interrupted");
            return 1;
        }
    }

    private void restore(Options options) throws IOException, InterruptedException {
        Manifest manifest = manifest(options);
        out.printf("Backup %s of account %s: %s %s, %,d bytes, %s%s%n", manifest.backupId(), manifest.accountId(),
                manifest.engine(), manifest.format(), manifest.sizeBytes(), manifest.compression(),
                manifest.encrypted() ? ", encrypted (" + manifest.encryption() + ")" : "");
        RestoreTarget.Database database = options.to() == null ? null : RestoreTarget.parse(options.to());
        String password = environment.getOrDefault("RESTORE_DB_PASSWORD", "");
        if (database != null) {
            if (database.postgres() != manifest.postgres()) {
                throw new RestoreException("The backup is a " + manifest.engine() + " dump; --to names a "
                        + database.engine() + " database");
            }
            long tables = tableCount(database, password);
            if (tables > 0 && !options.clean()) {
                throw new RestoreException(database.describe() + " already holds " + tables + " table(s); restore into an"
                        + " empty database, or give --clean to replace what it holds");
            }
        }
        try (InputStream blob = download(options.blobUrl()); Progress progress = new Progress(err, manifest.sizeBytes())) {
            ArchiveStream archive = ArchiveStream.open(blob, manifest, options.identity());
            progress.follow(archive::bytesRead);
            if (database == null) {
                try (OutputStream file = Files.newOutputStream(options.toFile())) {
                    archive.plain().transferTo(file);
                }
            } else {
                feed(database, password, options.clean(), archive.plain());
            }
            String sha256 = archive.finishAndHash();
            progress.done(archive.bytesRead());
            if (!sha256.equals(manifest.sha256())) {
                throw new RestoreException("The blob is corrupted: its SHA-256 is " + sha256 + ", the manifest says "
                        + manifest.sha256() + ". Do not use what was restored from it.");
            }
            out.println("SHA-256 matches the manifest: " + sha256);
        }
        if (database == null) {
            out.println("The plain dump is in " + options.toFile());
            return;
        }
        long restored = tableCount(database, password);
        if (manifest.tableCount() == 0) {
            out.printf("Tables: %d restored into %s%n", restored, database.describe());
            return;
        }
        out.printf("Tables: %d in the manifest, %d restored into %s%n", manifest.tableCount(), restored, database.describe());
        if (restored < manifest.tableCount()) {
            throw new RestoreException("The restored database has " + restored + " tables; the backup held "
                    + manifest.tableCount());
        }
    }

    /**
     * The manifest beside the blob; when a link to the blob alone cannot read it, what the upload
     * worker wrote into the blob's own metadata (all but the table count).
     */
    private Manifest manifest(Options options) throws IOException, InterruptedException {
        String url = options.manifestUrl() != null ? options.manifestUrl() : defaultManifestUrl(options.blobUrl());
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            if (options.manifestUrl() == null) {
                java.util.Optional<Manifest> fromMetadata = fromBlobMetadata(options.blobUrl());
                if (fromMetadata.isPresent()) {
                    out.println("The manifest cannot be read with this link (HTTP " + response.statusCode()
                            + "); using the blob's own metadata, so the tables are not compared.");
                    return fromMetadata.get();
                }
            }
            throw new RestoreException("The manifest could not be read (HTTP " + response.statusCode() + " for "
                    + withoutQuery(url) + "), and the blob carries no backuprelay metadata. Give --manifest-url with a"
                    + " link that can read it, or a container SAS URL.");
        }
        try {
            return Json.mapper().readValue(response.body(), Manifest.class);
        } catch (IOException e) {
            throw new RestoreException("The manifest at " + withoutQuery(url) + " is not a backuprelay manifest: "
                    + e.getMessage());
        }
    }

    private java.util.Optional<Manifest> fromBlobMetadata(String blobUrl) throws IOException, InterruptedException {
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(blobUrl)).timeout(Duration.ofSeconds(60))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        java.util.function.Function<String, String> meta = name -> head.headers().firstValue("x-ms-meta-" + name).orElse(null);
        if (head.statusCode() != 200 || meta.apply("sha256") == null || !"backuprelay".equals(meta.apply("writtenby"))) {
            return java.util.Optional.empty();
        }
        long size = head.headers().firstValueAsLong("Content-Length").orElse(0);
        return java.util.Optional.of(new Manifest(meta.apply("backupid"), meta.apply("accountid"), meta.apply("engine"),
                meta.apply("format"), meta.apply("compression"), meta.apply("encryption"), size, meta.apply("sha256"), 0));
    }

    private InputStream download(String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new RestoreException("The blob could not be read (HTTP " + response.statusCode() + " for "
                    + withoutQuery(url) + "): the link may have expired, or lack the read permission.");
        }
        return response.body();
    }

    /** {@code pg_restore} or {@code mariadb} reading the plain dump on its standard input; credentials in a private file. */
    private void feed(RestoreTarget.Database database, String password, boolean clean, InputStream dump)
            throws IOException, InterruptedException {
        CredentialFiles credentials = new CredentialFiles(Files.createTempDirectory("backuprelay-restore-"));
        Path secret = null;
        try {
            List<String> command = new ArrayList<>();
            Map<String, String> env = new java.util.HashMap<>();
            if (database.postgres()) {
                secret = credentials.pgPassFile(database.host(), database.port(), database.database(), database.user(),
                        password);
                env.put("PGPASSFILE", secret.toString());
                command.addAll(List.of(pgRestore(database, password).toString(), "--no-owner", "--exit-on-error",
                        "--no-password", "--host=" + database.host(), "--port=" + database.port(),
                        "--username=" + database.user(), "--dbname=" + database.database()));
                if (clean) {
                    command.addAll(List.of("--clean", "--if-exists"));
                }
            } else {
                secret = credentials.mariadbOptionsFile(database.host(), database.port(), database.user(), password);
                command.addAll(List.of("mariadb", "--defaults-extra-file=" + secret, "--default-character-set=utf8mb4",
                        database.database()));
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().keySet().removeIf(name -> name.startsWith("PG") || name.startsWith("MYSQL"));
            builder.environment().putAll(env);
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
                        + database.describe() + " (exit " + exit + "): "
                        + (message.isEmpty() ? "no message" : message.lines().reduce((a, b) -> b).orElse(message))
                        .replace(password.isEmpty() ? "\u0000" : password, "***"));
            }
        } finally {
            if (secret != null) {
                Files.deleteIfExists(secret);
            }
            Files.deleteIfExists(credentials.dir());
        }
    }

    private static Path pgRestore(RestoreTarget.Database database, String password) {
        try {
            int major = PostgresProbe.serverVersion(new SourceDatabase(DatabaseEngine.POSTGRESQL, database.host(),
                    database.port(), database.database(), database.user(), null), password).major();
            return PgDumpTools.debian().forServerMajor(major).resolveSibling("pg_restore");
        } catch (DumpFailedException e) {
            throw new RestoreException(e.getMessage(), e);
        }
    }

    private static long tableCount(RestoreTarget.Database database, String password) {
        String url = database.postgres()
                ? "jdbc:postgresql://" + database.host() + ":" + database.port() + "/" + database.database()
                : "jdbc:mariadb://" + database.host() + ":" + database.port() + "/" + database.database();
        String sql = database.postgres()
                ? "SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
                        + " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                : "SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema = DATABASE()";
        try (Connection connection = DriverManager.getConnection(url, database.user(), password);
             Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new RestoreException("Cannot reach the target database " + database.describe() + ": "
                    + e.getMessage().replace(password.isEmpty() ? "\u0000" : password, "***"), e);
        }
    }

    static String defaultManifestUrl(String blobUrl) {
        int query = blobUrl.indexOf('?');
        return query < 0 ? blobUrl + ".manifest.json"
                : blobUrl.substring(0, query) + ".manifest.json" + blobUrl.substring(query);
    }

    private static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
