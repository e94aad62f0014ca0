package io.backuprelay.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * A network namespace of the run's own, joined to the host by a veth pair ({@value #HOST_ADDRESS} on
 * the host end, {@value #INNER_ADDRESS} inside): a worker started inside reaches the broker and the
 * storage proxy, which listen on the host end, and nothing else (the namespace has no other route).
 * The partition takes the host end's link down, so the worker is cut off while the host, whose
 * processes reach the host end's address locally, goes on.
 */
final class NetworkPartition implements AutoCloseable {

    /** The worker that runs inside: an upload worker needs only the broker and storage, both of which it loses. */
    static final String WORKER = "upload-worker-2";
    static final String NAMESPACE = "brchaos";
    static final String HOST_ADDRESS = "10.213.0.1";
    static final String INNER_ADDRESS = "10.213.0.2";
    private static final String HOST_END = "brchaos-h";
    private static final String INNER_END = "brchaos-n";
    /** The pid of the run that made the namespace, so a run that finds one can tell a killed run's from a live one's. */
    private static final Path OWNER = Path.of("/run/backuprelay-chaos-netns.pid");

    private volatile boolean available;

    /**
     * Makes the namespace and its link, after removing those a killed run left. When that is not
     * allowed (no {@code CAP_NET_ADMIN}, no {@code ip}), or another live run owns them, it says why and
     * the partition is left out: {@link #hostAddress()} is then loopback.
     */
    NetworkPartition setUp() {
        try {
            removeLeftOver();
            ip("netns", "add", NAMESPACE);
            available = true; // from here close() removes what was made
            ip("link", "add", HOST_END, "type", "veth", "peer", "name", INNER_END, "netns", NAMESPACE);
            ip("addr", "add", HOST_ADDRESS + "/30", "dev", HOST_END);
            ip("link", "set", HOST_END, "up");
            ip("-n", NAMESPACE, "addr", "add", INNER_ADDRESS + "/30", "dev", INNER_END);
            ip("-n", NAMESPACE, "link", "set", INNER_END, "up");
            ip("-n", NAMESPACE, "link", "set", "lo", "up");
            Files.writeString(OWNER, Long.toString(ProcessHandle.current().pid()));
            System.out.printf("chaos: network namespace %s (%s) linked to the host at %s; an upload worker runs in it%n",
                    NAMESPACE, INNER_ADDRESS, HOST_ADDRESS);
        } catch (Exception e) {
            System.out.println("chaos: no network namespace (" + e.getMessage() + "): the network partition is left out");
            close();
        }
        return this;
    }

    boolean available() {
        return available;
    }

    /** Where the broker's second listener and the storage proxy listen: the host end, or loopback without a namespace. */
    String hostAddress() {
        return available ? HOST_ADDRESS : "127.0.0.1";
    }

    /** What runs a command inside the namespace ({@code ip netns exec} execs it: the process is the command's own). */
    List<String> commandPrefix() {
        return List.of("ip", "netns", "exec", NAMESPACE);
    }

    /** Cuts {@code target}, which runs inside the namespace, off for 20 to 90 s; then the link is up again and it is waited for. */
    void partition(FaultTarget target, Random random, FaultLog log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!target.hold()) { // being restarted, or under another fault: the partition waits its turn
            if (System.nanoTime() > deadline) {
                System.out.println("chaos: network partition: " + target.name() + " was not free for 60 s; skipped");
                return;
            }
            Thread.sleep(1000);
        }
        try {
            Duration cut = Duration.ofSeconds(20 + random.nextInt(71));
            Instant start = Instant.now();
            ip("link", "set", HOST_END, "down");
            Instant healed;
            try {
                log.count("network partition of an " + target.service() + " (20 to 90 s)");
                System.out.printf("chaos: network partition: %s cut off from the broker and storage for %d s%n",
                        target.name(), cut.toSeconds());
                Thread.sleep(cut);
            } finally {
                ip("link", "set", HOST_END, "up");
                healed = Instant.now();
                log.window("partition " + target.name(), start, healed);
            }
            if (target.awaitReady(Duration.ofMinutes(5))) {
                log.recovered("network partition of a worker (link up to ready)", healed);
                System.out.printf("chaos: network partition: %s ready %.1f s after the link came up%n", target.name(),
                        Duration.between(healed, Instant.now()).toMillis() / 1000.0);
            }
        } finally {
            target.release();
        }
    }

    /** Removes the namespace and its link; a process still inside keeps a namespace without any link. */
    @Override
    public void close() {
        if (!available) {
            return;
        }
        available = false;
        quietly("link", "del", HOST_END);
        quietly("netns", "del", NAMESPACE);
        try {
            Files.deleteIfExists(OWNER);
        } catch (IOException ignored) {
            // /run is cleared at boot anyway
        }
    }

    private static void removeLeftOver() throws IOException, InterruptedException {
        boolean namespace = run("ip", "netns", "list").lines().anyMatch(l -> l.split(" ")[0].equals(NAMESPACE));
        boolean link = run("ip", "link", "show", HOST_END).contains(HOST_END + "@");
        if (!namespace && !link) {
            return;
        }
        Optional<ProcessHandle> owner = owner();
        if (owner.isPresent()) {
            throw new IllegalStateException("namespace " + NAMESPACE + " belongs to chaos run " + owner.get().pid()
                    + ", still running");
        }
        System.out.println("chaos: removing network namespace " + NAMESPACE + " left by a killed run");
        quietly("link", "del", HOST_END);
        quietly("netns", "del", NAMESPACE);
    }

    /** The live run that made the namespace, if any. */
    private static Optional<ProcessHandle> owner() throws IOException {
        if (!Files.exists(OWNER)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(OWNER).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(ChaosRun.class.getName())).orElse(false));
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + ": " + output);
        }
    }

    private static void quietly(String... args) {
        try {
            ip(args);
        } catch (IOException | InterruptedException gone) {
            // already removed
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }
}
