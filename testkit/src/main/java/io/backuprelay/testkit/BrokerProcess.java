package io.backuprelay.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft broker in a process of its own, from Kafka's jars on the test classpath
 * ({@code kafka.tools.StorageTool format}, then {@code kafka.Kafka}), so a test can freeze it
 * (SIGSTOP/SIGCONT) or kill it as an outage would.
 */
public final class BrokerProcess implements Closeable {

    private final Process process;
    private final int port;

    private BrokerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static BrokerProcess start(Path dir) throws IOException, InterruptedException {
        int port = freePort();
        int controller = freePort();
        Path config = dir.resolve("server.properties");
        StringBuilder properties = new StringBuilder()
                .append("process.roles=broker,controller\n")
                .append("node.id=1\n")
                .append("controller.quorum.voters=1@127.0.0.1:").append(controller).append('\n')
                .append("listeners=PLAINTEXT://127.0.0.1:").append(port).append(",CONTROLLER://127.0.0.1:").append(controller).append('\n')
                .append("advertised.listeners=PLAINTEXT://127.0.0.1:").append(port).append('\n')
                .append("controller.listener.names=CONTROLLER\n")
                .append("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n")
                .append("inter.broker.listener.name=PLAINTEXT\n")
                .append("log.dirs=").append(dir.resolve("logs")).append('\n');
        for (Map.Entry<String, String> setting : TestKafka.brokerSettings().entrySet()) {
            properties.append(setting.getKey()).append('=').append(setting.getValue()).append('\n');
        }
        Files.writeString(config, properties.toString());
        Process format = java("kafka.tools.StorageTool", "format", "-t", org.apache.kafka.common.Uuid.randomUuid().toString(),
                "-c", config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("Formatting the broker's storage failed: " + Files.readString(dir.resolve("format.log")));
        }
        Process broker = java("kafka.Kafka", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker.log").toFile()).start();
        BrokerProcess started = new BrokerProcess(broker, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!started.accepts()) {
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                broker.destroyForcibly();
                throw new IllegalStateException("The broker process did not start: " + Files.readString(dir.resolve("broker.log")));
            }
            Thread.sleep(200); // polling the port the broker is about to open
        }
        return started;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** SIGSTOP: the broker keeps its sockets but answers nothing, as a frozen VM or a long GC would. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            thaw();
        } catch (IOException | InterruptedException | IllegalStateException e) {
            // it may be gone already
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ProcessBuilder java(String main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
