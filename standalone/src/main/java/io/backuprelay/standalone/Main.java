package io.backuprelay.standalone;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.HeapCompaction;
import io.backuprelay.common.service.ServiceMain;
import io.backuprelay.standalone.restore.RestoreCommand;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code backuprelay} command line. */
public final class Main {

    /**
     * Where logback.xml's console appender writes ({@code System.out} unless set). The services' logging is
     * their output, on stdout as in their containers; a tool's output is what it prints, so the libraries'
     * logging (a client's warning about the broker) goes to stderr beside the tool's own diagnostics.
     */
    static final String LOG_TARGET = "backuprelay.log.target";
    private static final Set<String> SERVICES = Set.of("standalone", "demo");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "standalone" : args[0];
        if (!SERVICES.contains(command)) {
            // Before any logger exists: logback reads it when it configures itself.
            System.setProperty(LOG_TARGET, "System.err");
        }
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "standalone" -> runStandalone();
            case "demo" -> runDemo();
            case "monitor" -> System.exit(MonitorCommand.run(rest, localBroker()));
            case "token" -> System.exit(TokenCommand.run(rest, ConfigSource.fromEnvironment(), System.out, System.err));
            case "rekey" -> System.exit(runRekey(rest));
            case "dlq" -> System.exit(runDlq(rest));
            case "restore" -> System.exit(runRestore(rest));
            default -> {
                System.err.println("Unknown command '" + command + "'. Commands: demo, standalone, monitor, dlq, token, restore, rekey");
                System.exit(2);
            }
        }
    }

    /** The environment, with KAFKA_BOOTSTRAP_SERVERS defaulting to the local standalone broker's port. */
    static ConfigSource localBroker() {
        ConfigSource environment = ConfigSource.fromEnvironment();
        return environment.with(Map.of(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name(),
                CommonSettings.KAFKA_BOOTSTRAP_SERVERS.read(environment,
                        "127.0.0.1:" + StandaloneSettings.KAFKA_PORT.read(environment))));
    }

    /** The restore command, its storage checked against the operators' allowlist as the services check it. */
    private static int runRestore(String[] args) {
        return new RestoreCommand(System.out, System.err, ConfigSource.fromEnvironment()).run(args);
    }

    private static int runDlq(String[] args) throws Exception {
        List<String> options = Arrays.asList(args);
        DlqCommand dlq = new DlqCommand(KafkaSettings.from(localBroker()), System.out, System.err);
        if (options.contains("--help") || options.contains("-h") || options.equals(List.of("help"))) {
            return dlq.help();
        }
        return dlq.run(options);
    }

    /** Against KAFKA_BOOTSTRAP_SERVERS and the keys of the environment, or the local standalone's. */
    private static int runRekey(String[] args) throws Exception {
        if (args.length > 0) {
            boolean help = args[0].equals("--help") || args[0].equals("-h");
            (help ? System.out : System.err).println((help ? "" : "rekey: takes no arguments\n") + RekeyCommand.USAGE);
            return help ? 0 : 2;
        }
        ConfigSource environment = ConfigSource.fromEnvironment();
        try {
            ConfigSource config = Standalone.withLocalDefaults(localBroker(),
                    CommonSettings.DATA_DIR.read(environment).toAbsolutePath());
            KafkaSettings kafka = KafkaSettings.from(config);
            if (!BrokerCheck.answers(kafka, "rekey", System.err)) {
                return 1;
            }
            new RekeyCommand(kafka, SecretSealer.from(config, true), System.out).run();
            return 0;
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            return 2;
        }
    }

    private static void runDemo() throws Exception {
        ServiceMain.runUntilStopped("backuprelay-demo", () -> {
            Demo demo = Demo.start(ConfigSource.fromEnvironment());
            HeapCompaction.afterReady(demo.shell()::ready);
            return demo;
        });
    }

    private static void runStandalone() throws Exception {
        ServiceMain.runUntilStopped("backuprelay", () -> {
            Standalone standalone = Standalone.start(ConfigSource.fromEnvironment(), System::exit);
            // Its start leaves the old generation full of the broker's and the clients' start-up garbage.
            HeapCompaction.afterReady(standalone.shell()::ready);
            return standalone;
        });
    }
}
