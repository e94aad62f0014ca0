package io.backuprelay.testkit;

import io.backuprelay.azurite.AzuriteProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * The Azure Blob Storage emulator, from the npm package pinned in {@code testkit/azurite}, run as a
 * child process on a free port with in-memory storage. One per test JVM; it stops with the JVM.
 */
public final class Azurite {

    /** The emulator's account and Microsoft's published well-known key for it. */
    public static final String ACCOUNT_NAME = AzuriteProcess.ACCOUNT_NAME;
    public static final String ACCOUNT_KEY = AzuriteProcess.ACCOUNT_KEY;

    /**
     * A second account whose key is easy to recognise, for tests that look for a leaked secret:
     * its path-style endpoint is {@link #plantedEndpoint()}.
     */
    public static final String PLANTED_ACCOUNT = "brplanted";
    public static final String PLANTED_KEY = Base64.getEncoder().encodeToString(
            "backuprelay-planted-access-key-must-never-leak-0001".getBytes(StandardCharsets.US_ASCII));

    private static AzuriteProcess process;

    private Azurite() {
    }

    /** The blob endpoint, e.g. {@code http://127.0.0.1:41234/devstoreaccount1}; starts Azurite on first use. */
    public static synchronized String blobEndpoint() {
        return running().blobEndpoint(ACCOUNT_NAME);
    }

    /**
     * The emulator's origin, e.g. {@code http://127.0.0.1:41234}: what a test's endpoint policy allows
     * ({@code EndpointPolicy.allowing(Azurite.origin())}) or lists in {@code BACKUPRELAY_ALLOWED_ENDPOINTS};
     * loopback over plain HTTP is refused otherwise, as in production.
     */
    public static synchronized String origin() {
        return "http://127.0.0.1:" + URI.create(running().blobEndpoint(ACCOUNT_NAME)).getPort();
    }

    public static synchronized String plantedEndpoint() {
        return running().blobEndpoint(PLANTED_ACCOUNT);
    }

    public static String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT_NAME + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    public static Path home() {
        return AzuriteProcess.home();
    }

    private static AzuriteProcess running() {
        if (process == null) {
            try {
                process = AzuriteProcess.start(home(), freePort(), Map.of(PLANTED_ACCOUNT, PLANTED_KEY));
            } catch (IOException e) {
                throw new IllegalStateException("Cannot start Azurite", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(process::close, "azurite-stop"));
        }
        return process;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port", e);
        }
    }
}
