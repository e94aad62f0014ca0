package io.backuprelay.chaos;

import io.backuprelay.testkit.ServiceJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The services of one fleet run, each its own process started from its runnable jar as the container
 * image runs it (so each one's CPU is its own): the scheduler, the notifier, and {@code instances} dump
 * and upload workers each. The broker, Azurite and the mail server run apart.
 */
final class FleetStack implements AutoCloseable {

    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();

    /**
     * @param common what every service is given: the broker, the topic prefix, the master key, the staging directory
     */
    static FleetStack start(Path work, int instances, Map<String, String> common, int smtpPort) throws Exception {
        FleetStack stack = new FleetStack();
        Map<String, Map<String, String>> own = new LinkedHashMap<>();
        own.put("scheduler", Map.of("SCHEDULER_STATE_DIR", work.resolve("scheduler-state").toString()));
        own.put("notifier", Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(smtpPort),
                "SMTP_SECURITY", "NONE", "SMTP_FROM", "backups@fleet.example"));
        for (int i = 1; i <= instances; i++) {
            own.put("dump-worker-" + i, Map.of("DUMP_MIN_FREE_MB", "64"));
            own.put("upload-worker-" + i, Map.of());
        }
        for (var entry : own.entrySet()) {
            Map<String, String> env = new HashMap<>(common);
            env.putAll(entry.getValue());
            int port = ServiceJars.freePort();
            env.put("SERVICE_PORT", Integer.toString(port));
            env.put("BACKUPRELAY_INSTANCE_ID", "fleet-" + entry.getKey());
            String module = entry.getKey().replaceAll("-\\d+$", "");
            if (module.equals(System.getenv("FLEET_PROFILE"))) {
                // A flight recording of this service, written when it stops: where its CPU went.
                env.put("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,filename="
                        + work.resolve(entry.getKey() + ".jfr"));
            }
            // As the image runs it (Dockerfile), with a heap of its own size.
            stack.processes.put(entry.getKey(), ServiceJars.start(ServiceJars.runnableJar(module), env,
                    work.resolve(entry.getKey() + ".log"), "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                    "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp"))));
            stack.ports.put(entry.getKey(), port);
        }
        stack.awaitReady(Duration.ofMinutes(3));
        return stack;
    }

    private void awaitReady(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (var entry : processes.entrySet()) {
            Process process = entry.getValue();
            if (!ServiceJars.awaitReady(() -> ServiceJars.ready(ports.get(entry.getKey())), () -> process,
                    Duration.ofNanos(deadline - System.nanoTime()), entry.getKey() + " was not ready within " + within
                            + "; see its log")) {
                throw new IllegalStateException(entry.getKey() + " exited with code " + process.exitValue()
                        + " before it was ready; see its log");
            }
        }
    }

    /**
     * CPU seconds each service has used so far with the tools it ran ({@code pg_dump}, {@code mariadb-dump}, their
     * listing), by service kind (the instances of one service summed).
     */
    Map<String, Double> cpuSeconds() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        processes.forEach((name, process) -> cpu.merge(name.replaceAll("-\\d+$", ""),
                MachineCpu.withChildren(process.pid()), Double::sum));
        return cpu;
    }

    /** Stops every service as a deployment would (SIGTERM), and waits. */
    @Override
    public void close() throws InterruptedException {
        ServiceJars.stop(processes.values(), Duration.ofSeconds(60));
    }
}
