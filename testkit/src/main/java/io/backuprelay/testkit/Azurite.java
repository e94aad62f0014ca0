package io.backuprelay.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The Azure Blob Storage emulator, from the npm package pinned in {@code testkit/azurite}, run as a
 * child process on a free port with in-memory storage. One per test JVM; it stops with the JVM.
 */
public final class Azurite {

    /** The emulator's account and Microsoft's published well-known key for it. */
    public static final String ACCOUNT_NAME = "devstoreaccount1";
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /**
     * A second account whose key is easy to recognise, for tests that look for a leaked secret:
     * its path-style endpoint is {@link #plantedEndpoint()}.
     */
    public static final String PLANTED_ACCOUNT = "brplanted";
    public static final String PLANTED_KEY = java.util.Base64.getEncoder().encodeToString(
            "backuprelay-planted-access-key-must-never-leak-0001".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    private static Process process;
    private static int port;

    private Azurite() {
    }

    /** The blob endpoint, e.g. {@code http://127.0.0.1:41234/devstoreaccount1}; starts Azurite on first use. */
    public static synchronized String blobEndpoint() {
        if (process == null) {
            start();
        }
        return "http://127.0.0.1:" + port + "/" + ACCOUNT_NAME;
    }

    public static String plantedEndpoint() {
        blobEndpoint();
        return "http://127.0.0.1:" + port + "/" + PLANTED_ACCOUNT;
    }

    public static String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT_NAME + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    /** Where the pinned npm package is installed: the build passes it; from an IDE, found from the working folder. */
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

    private static void start() {
        Path executable = home().resolve("node_modules/.bin/azurite-blob");
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException(executable + " is missing: run the Maven build (it runs 'npm ci' in "
                    + home() + ")");
        }
        port = freePort();
        try {
            Path workspace = Files.createTempDirectory("azurite");
            Path log = workspace.resolve("azurite.log");
            ProcessBuilder builder = new ProcessBuilder(List.of(executable.toString(),
                    "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port),
                    "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose"));
            builder.environment().put("AZURITE_ACCOUNTS",
                    ACCOUNT_NAME + ":" + ACCOUNT_KEY + ";" + PLANTED_ACCOUNT + ":" + PLANTED_KEY);
            process = builder
                    .directory(workspace.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(Azurite::stop, "azurite-stop"));
            awaitListening(port, Duration.ofSeconds(60), log);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start Azurite", e);
        }
    }

    private static void awaitListening(int port, Duration timeout, Path log) throws IOException {
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
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while starting Azurite", e);
                }
            }
        }
        throw new IllegalStateException("Azurite did not listen on port " + port + " within " + timeout);
    }

    private static synchronized void stop() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process = null;
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port", e);
        }
    }
}
