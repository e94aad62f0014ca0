package io.backuprelay.azurite;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Azure Blob Storage emulator from the npm package pinned in {@code testkit/azurite} (installed
 * by the Maven build), run as a child process on one port with in-memory storage.
 */
public final class AzuriteProcess implements Closeable {

    /** The emulator's account and Microsoft's published well-known key for it. */
    public static final String ACCOUNT_NAME = "devstoreaccount1";
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Process process;
    private final int port;

    private AzuriteProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * @param accounts the storage accounts and their keys; the well-known account is always there
     */
    public static AzuriteProcess start(Path home, int port, Map<String, String> accounts) throws IOException {
        Path executable = home.resolve("node_modules/.bin/azurite-blob");
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException(executable + " is missing: run the Maven build (it runs 'npm ci' in " + home + ")");
        }
        Path workspace = Files.createTempDirectory("azurite");
        Path log = workspace.resolve("azurite.log");
        ProcessBuilder builder = new ProcessBuilder(List.of(executable.toString(),
                "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose"));
        String keys = ACCOUNT_NAME + ":" + ACCOUNT_KEY + accounts.entrySet().stream()
                .map(e -> ";" + e.getKey() + ":" + e.getValue()).collect(Collectors.joining());
        builder.environment().put("AZURITE_ACCOUNTS", keys);
        Process process = builder.directory(workspace.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AzuriteProcess azurite = new AzuriteProcess(process, port);
        azurite.awaitListening(Duration.ofSeconds(60), log);
        return azurite;
    }

    /** Where the pinned npm package is: a system property, else {@code testkit/azurite} above the working folder. */
    public static Path home() {
        String configured = System.getProperty("backuprelay.azurite.home");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testkit/azurite");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cannot find testkit/azurite; set -Dbackuprelay.azurite.home");
    }

    public int port() {
        return port;
    }

    /** The path-style blob endpoint of an account, e.g. {@code http://127.0.0.1:10000/devstoreaccount1}. */
    public String blobEndpoint(String account) {
        return "http://127.0.0.1:" + port + "/" + account;
    }

    private void awaitListening(Duration timeout, Path log) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Azurite exited at start: " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100); // polling a child process's port: it has no other way to say it is ready
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while starting Azurite", e);
                }
            }
        }
        throw new IllegalStateException("Azurite did not listen on port " + port + " within " + timeout);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
