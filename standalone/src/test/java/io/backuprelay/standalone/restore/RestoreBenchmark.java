package io.backuprelay.standalone.restore;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.json.Json;
import io.backuprelay.database.PgTools;
import io.backuprelay.dump.runner.DumpJob;
import io.backuprelay.dump.runner.DumpRunner;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.format.manifest.BackupManifest;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.testkit.Azurite;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * {@code restore --account A --latest} of a benchmark database's backup (in Azurite, stored as the
 * upload worker stores it) against the same work by hand: download the blob to a file, then
 * {@code zstd -d | pg_restore}. Alternating, each into a fresh database, on the same server.
 *
 * <p>Run: {@code ./backuprelay bench restore br_bench_1g [rounds]} (docs/benchmarks.md).
 */
public final class RestoreBenchmark {

    private static final String PG_BIN = "/usr/lib/postgresql/15/bin/";

    public static void main(String[] args) throws Exception {
        String database = args.length > 0 ? args[0] : "br_bench_1g";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("restore-bench");
        String account = "bench";
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString())
                .buildClient().createBlobContainerIfNotExists("restore-bench");

        // The backup, as the dump and upload workers leave it: blob, metadata and manifest.
        DumpRunner.Dumped dumped = new PgDumpRunner(PgTools.debian()).dump(new SourceDatabase(Engine.POSTGRESQL,
                        "127.0.0.1", 5432, database, "postgres", null), "", new ArchiveSink(dir, Compression.ZSTD, 3, 0),
                new DumpJob("bench", List.of(), Duration.ofMinutes(30), null));
        String blobName = "backups/" + account + "/2026/11/" + account + "-20261129T000000Z-bench.dump.zst";
        var blob = container.getBlobClient(blobName);
        blob.uploadFromFile(dumped.archive().path().toString(), true);
        blob.setMetadata(Map.of("backupid", "bench", "accountid", account, "sha256", dumped.archive().sha256(),
                "engine", "POSTGRESQL", "format", "pg_dump-custom", "compression", "zstd", "encryption", "none",
                "writtenby", "backuprelay"));
        BackupManifest manifest = new BackupManifest("bench", account, Engine.POSTGRESQL, dumped.serverVersion(),
                dumped.toolVersion(), dumped.format(), Compression.ZSTD, Encryption.NONE, List.of(), dumped.archive().sizeBytes(),
                dumped.archive().sha256(), Instant.now(), Instant.now(), dumped.tableCount(), dumped.inventory());
        container.getBlobClient(blobName + ".manifest.json").upload(BinaryData.fromBytes(
                Json.encode(manifest)), true);
        Files.delete(dumped.archive().path());
        String sasUrl = blob.getBlobUrl() + "?" + blob.generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now().plusHours(6), new BlobSasPermission().setReadPermission(true)));
        System.out.printf("Restore benchmark: %s, archive %,d bytes, %s; %d cores%n", database,
                dumped.archive().sizeBytes(), dumped.inventory().summary(), Runtime.getRuntime().availableProcessors());

        for (int round = 1; round <= rounds; round++) {
            recreate("restore_bench_hand");
            Path file = dir.resolve("downloaded.dump.zst");
            long start = System.nanoTime();
            sh("curl -sS --fail -o " + file + " '" + sasUrl + "'");
            double download = (System.nanoTime() - start) / 1e9;
            sh("zstd -d -q -c " + file + " | " + PG_BIN + "pg_restore --no-owner --exit-on-error -h 127.0.0.1 -U postgres"
                    + " -d restore_bench_hand");
            double byHand = (System.nanoTime() - start) / 1e9;
            Files.delete(file);

            recreate("restore_bench_cmd");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            start = System.nanoTime();
            int exit = new RestoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(OutputStream.nullOutputStream()), Map.of("AZURE_STORAGE_KEY", Azurite.ACCOUNT_KEY,
                    "BACKUPRELAY_ALLOWED_ENDPOINTS", Azurite.origin()))
                    .run("--account", account, "--latest", "--storage-account", Azurite.ACCOUNT_NAME, "--container",
                            container.getBlobContainerName(), "--path", "backups", "--endpoint", Azurite.blobEndpoint(),
                            "--to", "postgresql://postgres@127.0.0.1:5432/restore_bench_cmd");
            double command = (System.nanoTime() - start) / 1e9;
            if (exit != 0) {
                throw new IllegalStateException("restore failed: " + out.toString(StandardCharsets.UTF_8));
            }
            System.out.printf("round %d: by hand %.1f s (download %.1f s, then zstd -d | pg_restore %.1f s);"
                            + " restore --latest %.1f s (with the SHA-256 check and the inventory comparison); ratio %.2f%n",
                    round, byHand, download, byHand - download, command, command / byHand);
        }
        recreate("restore_bench_hand");
        recreate("restore_bench_cmd");
        sh(PG_BIN + "psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE restore_bench_hand' -c 'DROP DATABASE restore_bench_cmd'");
        System.exit(0); // Azurite stops with the JVM
    }

    private static void recreate(String name) throws Exception {
        sh(PG_BIN + "psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS " + name + "' -c 'CREATE DATABASE "
                + name + "'");
    }

    private static void sh(String command) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
    }
}
