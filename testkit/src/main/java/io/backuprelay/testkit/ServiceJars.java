package io.backuprelay.testkit;

import io.backuprelay.azurite.AzuriteProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Services started from their runnable jars, as their container images run them: for the tests and the chaos run. */
public final class ServiceJars {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServiceJars() {
    }

    /** The module's runnable jar, as the build made it. */
    public static Path runnableJar(String module) throws Exception {
        return runnableJar(AzuriteProcess.home().getParent().getParent(), module);
    }

    /** The module's runnable jar, as the build of the checkout at {@code root} made it. */
    public static Path runnableJar(Path root, String module) throws Exception {
        try (Stream<Path> files = Files.list(root.resolve(module).resolve("target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runnable.jar")).findFirst().orElseThrow();
        }
    }

    /** {@code java [jvmOptions] -jar jar} with this environment added, its output appended to {@code log}. */
    public static Process start(Path jar, Map<String, String> env, Path log, String... jvmOptions) throws Exception {
        return start(List.of(), jar, env, log, jvmOptions);
    }

    /**
     * As {@link #start(Path, Map, Path, String...)}, run through a command that execs the rest, such as
     * {@code ip netns exec NS} (the process is then {@code java} itself, so signals reach it).
     */
    public static Process start(List<String> prefix, Path jar, Map<String, String> env, Path log, String... jvmOptions)
            throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Whether the process on this port answers /health/ready with 200. */
    public static boolean ready(int port) {
        return ready("127.0.0.1", port);
    }

    /** Whether the process listening on this address and port answers /health/ready with 200. */
    public static boolean ready(String host, int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (Exception notYet) {
            return false;
        }
    }

    /**
     * Polls {@code ready} every 250 ms (a health endpoint has nothing to wait on) until it holds: true; false
     * as soon as the process has ended meanwhile (the caller decides whether that is an error).
     *
     * @param process the service's current process (a harness may replace it while this waits)
     * @throws IllegalStateException with {@code notReady} as its message when {@code within} has passed
     */
    public static boolean awaitReady(BooleanSupplier ready, Supplier<Process> process, Duration within, String notReady)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.get().isAlive()) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(notReady);
            }
            Thread.sleep(250);
        }
        return true;
    }

    /** Stops the processes as a deployment would (SIGTERM), all at once, and kills any still running after {@code grace}. */
    public static void stop(Collection<Process> processes, Duration grace) throws InterruptedException {
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    public static int freePort() {
        return Azurite.freePort();
    }
}
