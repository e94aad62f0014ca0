package io.backuprelay.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker in a process of its own, from Kafka's jars on the test classpath
 * ({@code kafka.tools.StorageTool format}, then {@code kafka.Kafka}), so a test can freeze it
 * (SIGSTOP/SIGCONT) or kill it as an outage would.
 */
public final class BrokerProcess implements Closeable {

    private volatile Process process;
    private final int port;
    private final Path dir;
    private final Path trustStore;
    private String secondHost; // the second plaintext listener's address, or null
    private int secondPort;

    private BrokerProcess(Process process, int port, Path dir, Path trustStore) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.trustStore = trustStore;
    }

    public static BrokerProcess start(Path dir) throws IOException, InterruptedException {
        return start(dir, null, null);
    }

    /**
     * As {@link #start(Path)}, with a second plaintext listener on {@code host} (an address of this
     * machine other than loopback, such as the host end of a veth pair into a network namespace),
     * advertised as itself: a client that bootstraps there is told to reach the broker there, one
     * that bootstraps on 127.0.0.1 is told 127.0.0.1 ({@link #bootstrapServers(String)}). A loopback
     * {@code host} adds no listener.
     */
    public static BrokerProcess start(Path dir, String host) throws IOException, InterruptedException {
        boolean loopback = host == null || InetAddress.getByName(host).isLoopbackAddress();
        return start(dir, null, loopback ? null : host);
    }

    /**
     * A broker whose only client listener is SASL_SSL with SCRAM-SHA-512, and whose authorizer allows
     * a user nothing but what an ACL grants; {@code admin} is its super user, created when the storage
     * is formatted. Its certificate is for 127.0.0.1, in {@link #trustStore()}.
     */
    public static BrokerProcess startSecured(Path dir, String adminPassword) throws IOException, InterruptedException {
        return start(dir, adminPassword, null);
    }

    private static BrokerProcess start(Path dir, String adminPassword, String secondHost)
            throws IOException, InterruptedException {
        int port = Azurite.freePort();
        int secondPort = secondHost == null ? 0 : Azurite.freePort();
        String second = secondHost == null ? "" : "," + SECOND_LISTENER + "://" + secondHost + ":" + secondPort;
        int controller = Azurite.freePort();
        boolean secured = adminPassword != null;
        String listener = secured ? "SASL_SSL" : "PLAINTEXT";
        Path config = dir.resolve("server.properties");
        StringBuilder properties = new StringBuilder()
                .append("process.roles=broker,controller\n")
                .append("node.id=1\n")
                .append("controller.quorum.voters=1@127.0.0.1:").append(controller).append('\n')
                .append("listeners=").append(listener).append("://127.0.0.1:").append(port).append(second)
                .append(",CONTROLLER://127.0.0.1:").append(controller).append('\n')
                .append("advertised.listeners=").append(listener).append("://127.0.0.1:").append(port).append(second)
                .append('\n')
                .append("controller.listener.names=CONTROLLER\n")
                .append("listener.security.protocol.map=").append(listener).append(':').append(listener)
                .append(secondHost == null ? "" : "," + SECOND_LISTENER + ":PLAINTEXT")
                .append(",CONTROLLER:PLAINTEXT\n")
                .append("inter.broker.listener.name=").append(listener).append('\n')
                .append("log.dirs=").append(dir.resolve("logs")).append('\n');
        if (secured) {
            String password = "broker-store-" + UUID.randomUUID();
            Path keyStore = certificate(dir, password);
            properties.append("sasl.enabled.mechanisms=SCRAM-SHA-512\n")
                    .append("sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512\n")
                    .append("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=")
                    .append(scramJaas("admin", adminPassword).replace("\\", "\\\\")).append('\n')
                    .append("ssl.keystore.location=").append(keyStore).append('\n')
                    .append("ssl.keystore.type=PKCS12\n")
                    .append("ssl.keystore.password=").append(password).append('\n')
                    .append("ssl.key.password=").append(password).append('\n')
                    .append("ssl.truststore.location=").append(dir.resolve("truststore.p12")).append('\n')
                    .append("ssl.truststore.type=PKCS12\n")
                    .append("ssl.truststore.password=").append(TRUST_STORE_PASSWORD).append('\n')
                    .append("ssl.client.auth=none\n")
                    .append("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n")
                    // The controller listener is plaintext on loopback: the broker's own requests to it come as ANONYMOUS.
                    .append("super.users=User:admin;User:ANONYMOUS\n")
                    .append("allow.everyone.if.no.acl.found=false\n");
        }
        for (Map.Entry<String, String> setting : TestKafka.brokerSettings().entrySet()) {
            properties.append(setting.getKey()).append('=').append(setting.getValue()).append('\n');
        }
        Files.writeString(config, properties.toString());
        List<String> format = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString()));
        if (secured) {
            format.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=admin,password=" + adminPassword + "]"));
        }
        Process formatting = java("kafka.tools.StorageTool", format.toArray(String[]::new)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!formatting.waitFor(120, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
            throw new IllegalStateException("Formatting the broker's storage failed: " + Files.readString(dir.resolve("format.log")));
        }
        BrokerProcess started = new BrokerProcess(launch(dir), port, dir, secured ? dir.resolve("truststore.p12") : null);
        started.secondHost = secondHost;
        started.secondPort = secondPort;
        started.awaitAccepting();
        return started;
    }

    private static Process launch(Path dir) throws IOException {
        return java("kafka.Kafka", dir.resolve("server.properties").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
    }

    private void awaitAccepting() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("The broker process did not start: " + Files.readString(dir.resolve("broker.log")));
            }
            Thread.sleep(200); // polling the port the broker is about to open
        }
    }

    /** SIGKILL, as a crashed machine would: no clean shutdown, the logs recovered on the next start. */
    public void kill() throws IOException, InterruptedException {
        signal("KILL");
        process.waitFor();
    }

    /** Starts the broker again on its own storage, ports and settings (after {@link #kill()}), and waits until it accepts connections. */
    public void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("the broker still runs");
        }
        process = launch(dir);
        awaitAccepting();
    }

    /** The JAAS line of a SCRAM user, as {@code sasl.jaas.config} takes it. */
    public static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The trust store (PKCS12, password {@link #TRUST_STORE_PASSWORD}) that holds the secured broker's certificate. */
    public Path trustStore() {
        return trustStore;
    }

    public static final String TRUST_STORE_PASSWORD = "broker-trust";

    /** A self-signed certificate for 127.0.0.1 in a key store, and the same certificate in a trust store, by keytool. */
    private static Path certificate(Path dir, String password) throws IOException, InterruptedException {
        Path keyStore = dir.resolve("broker.p12");
        Path certificate = dir.resolve("broker.crt");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1", "-keystore", keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-alias", "broker", "-keystore", keyStore.toString(), "-storepass", password,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(), "-keystore",
                dir.resolve("truststore.p12").toString(), "-storetype", "PKCS12", "-storepass", TRUST_STORE_PASSWORD);
        return keyStore;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The listener on {@code host}: 127.0.0.1's, or the second one {@link #start(Path, String)} added there. */
    public String bootstrapServers(String host) {
        if (host.equals(secondHost)) {
            return secondHost + ":" + secondPort;
        }
        if (host.equals("127.0.0.1")) {
            return bootstrapServers();
        }
        throw new IllegalArgumentException("the broker has no listener on " + host);
    }

    /** The name of the listener {@link #start(Path, String)} adds. */
    private static final String SECOND_LISTENER = "SECOND";

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
}
