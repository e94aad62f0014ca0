package io.backuprelay.standalone.restore;

import io.backuprelay.blob.EndpointPolicy.EndpointRefusedException;
import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.database.DatabaseTarget;
import io.backuprelay.database.RestoreException;
import io.backuprelay.database.Restorer;
import io.backuprelay.format.BackupFormatException;
import io.backuprelay.format.reader.ArchiveStream;
import io.backuprelay.format.blob.BlobMetadata;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.format.manifest.ManifestNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code ./backuprelay restore} (see {@link Options#USAGE}): needs no broker. Finds the backup (a
 * blob's SAS URL, or an account's latest or given backup listed in its container), streams it,
 * checks its SHA-256 against the manifest, decrypts it with the age identity, decompresses it, and
 * feeds it to {@code pg_restore} or {@code mariadb} (or writes the plain dump); refuses a non-empty
 * database unless {@code --clean}; then compares the restored database with the manifest's inventory.
 */
public final class RestoreCommand {

    private final PrintStream out;
    private final PrintStream err;
    private final ConfigSource environment;
    private final Restorer restorer = Restorer.standard();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(15)).build();

    public RestoreCommand(PrintStream out, PrintStream err, Map<String, String> environment) {
        this(out, err, new ConfigSource(environment));
    }

    /** @param environment where {@link RestoreSettings} are read */
    public RestoreCommand(PrintStream out, PrintStream err, ConfigSource environment) {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    /** @return the exit code: 0 restored and checked (or the usage asked for), 1 failed (the reason printed), 2 wrong arguments */
    public int run(String... args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.println(Options.USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (RestoreException | InvalidPathException e) {
            err.println("restore: " + e.getMessage());
            err.println(Options.USAGE);
            return 2;
        }
        try {
            restore(options);
            return 0;
        } catch (RestoreException | BackupFormatException e) {
            err.println("restore failed: " + e.getMessage());
            return 1;
        } catch (EndpointRefusedException e) {
            err.println("restore failed: " + e.getMessage() + " (another origin, such as an emulator's http://127.0.0.1:10000,"
                    + " only when listed in " + CommonSettings.ALLOWED_ENDPOINTS.name() + ")");
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
        AccountBackups backups = options.account() == null ? null : AccountBackups.of(options, environment);
        String blobName = backups == null ? null : backups.find(options.latest() ? null : options.backupId());
        if (blobName != null) {
            out.println("Restoring " + blobName);
        }
        BackupManifest manifest = backups == null ? manifest(options) : backups.manifest(blobName);
        out.printf("Backup %s of account %s: %s %s, %,d bytes, %s%s%n", manifest.backupId(), manifest.accountId(),
                manifest.engine(), manifest.format(), manifest.sizeBytes(), manifest.compression(),
                manifest.encrypted() ? ", encrypted (" + manifest.encryption() + ")" : "");
        DatabaseTarget database = options.to() == null ? null : DatabaseTarget.parse(options.to(), "--to");
        String password = RestoreSettings.DB_PASSWORD.read(environment);
        if (database != null) {
            if (database.postgres() != manifest.postgres()) {
                throw new RestoreException("The backup is a " + manifest.engine() + " dump; --to names a "
                        + database.engine() + " database");
            }
            long tables = Restorer.tableCount(database, password);
            if (tables > 0 && !options.clean()) {
                throw new RestoreException(database.describe() + " already holds " + tables + " table(s); restore into an"
                        + " empty database, or give --clean to replace what it holds");
            }
        }
        try (InputStream blob = backups == null ? download(options.blobUrl()) : backups.open(blobName);
             Progress progress = new Progress(err, manifest.sizeBytes())) {
            ArchiveStream archive = ArchiveStream.open(blob, manifest, options.identity());
            progress.follow(archive::bytesRead);
            if (database == null) {
                try (OutputStream file = Files.newOutputStream(options.toFile())) {
                    archive.plain().transferTo(file);
                }
            } else {
                restorer.feed(database, password, options.clean(), archive.plain());
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
        compare(manifest, database, password);
    }

    /** The restored database against the manifest's inventory, printed; a difference fails the restore. */
    private void compare(BackupManifest manifest, DatabaseTarget database, String password) {
        Inventory restored = Restorer.inventory(database, password);
        if (manifest.inventory() == null) {
            out.println("Restored into " + database.describe() + ": " + restored.summary()
                    + " (the manifest lists no inventory to compare with)");
            return;
        }
        out.println("In the backup:  " + manifest.inventory().summary());
        out.println("Restored:       " + restored.summary());
        List<String> missing = manifest.inventory().missingFrom(restored, true);
        if (!missing.isEmpty()) {
            throw new RestoreException("The restored database differs from the backup's inventory: "
                    + String.join("; ", missing));
        }
        out.println("The restored database matches the backup's inventory.");
    }

    /**
     * The manifest beside the blob, through the link to it that {@code --manifest-url} gives or the
     * console's link carries, else through the blob's link itself (a container SAS). When none of
     * them reads it (a link to the blob alone, or an older backup without one), and it was not asked
     * for with {@code --manifest-url}: what the upload worker wrote into the blob's own metadata (all
     * but the inventory), said plainly.
     */
    private BackupManifest manifest(Options options) throws IOException, InterruptedException {
        String url = options.manifestUrl() != null ? options.manifestUrl() : ManifestNames.ofBlobUrl(options.blobUrl());
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            if (!options.manifestRequired()) {
                Optional<BackupManifest> fromMetadata = fromBlobMetadata(options.blobUrl());
                if (fromMetadata.isPresent()) {
                    out.println("The manifest cannot be read with this link (HTTP " + response.statusCode()
                            + "); using the blob's own metadata, so the restored database is not compared with an inventory.");
                    return fromMetadata.get();
                }
            }
            throw new RestoreException("The manifest could not be read (HTTP " + response.statusCode() + " for "
                    + withoutQuery(url) + "), and the blob carries no backuprelay metadata. Give --manifest-url with a"
                    + " link that can read it, or a container SAS URL.");
        }
        try {
            return BackupManifest.parse(response.body());
        } catch (BackupFormatException e) {
            throw new RestoreException("The manifest at " + withoutQuery(url) + " is not a backuprelay manifest: "
                    + e.getMessage());
        }
    }

    private Optional<BackupManifest> fromBlobMetadata(String blobUrl) throws IOException, InterruptedException {
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(blobUrl)).timeout(Duration.ofSeconds(60))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() != 200) {
            return Optional.empty();
        }
        Function<String, Optional<String>> header = name -> head.headers().firstValue(BlobMetadata.HEADER_PREFIX + name);
        Map<String, String> metadata = new HashMap<>();
        for (String key : List.of(BlobMetadata.BACKUP_ID, BlobMetadata.ACCOUNT_ID, BlobMetadata.SHA256, BlobMetadata.ENGINE,
                BlobMetadata.FORMAT, BlobMetadata.COMPRESSION, BlobMetadata.ENCRYPTION, BlobMetadata.WRITTEN_BY)) {
            header.apply(key).ifPresent(value -> metadata.put(key, value));
        }
        long size = head.headers().firstValueAsLong("Content-Length").orElse(0);
        return BlobMetadata.read(metadata).map(meta -> BackupManifest.described(meta.backupId(), meta.accountId(),
                meta.engine(), meta.archive(), size, meta.sha256()));
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

    private static String withoutQuery(String url) {
        return ManifestLink.withoutQuery(url);
    }
}
