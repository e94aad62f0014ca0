package io.backuprelay.standalone;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.service.ServiceMain;
import io.backuprelay.standalone.restore.RestoreCommand;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The {@code backuprelay} command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "standalone" : args[0];
        switch (command) {
            case "standalone" -> runStandalone();
            case "demo" -> runDemo();
            case "monitor" -> runMonitor(Arrays.copyOfRange(args, 1, args.length));
            case "token" -> System.out.println(TokenCommand.mint(Arrays.copyOfRange(args, 1, args.length),
                    ConfigSource.fromEnvironment()));
            case "rekey" -> System.exit(runRekey());
            case "dlq" -> System.exit(new DlqCommand(KafkaSettings.from(localBroker()), System.out)
                    .run(Arrays.asList(args).subList(1, args.length)));
            case "restore" -> System.exit(runRestore(Arrays.copyOfRange(args, 1, args.length)));
            default -> {
                System.err.println("Unknown command '" + command + "'. Commands: demo, standalone, monitor, dlq, token, restore, rekey");
                System.exit(2);
            }
        }
    }

    /**
     * {@code monitor [--from-beginning] [--backup ID | --account A] [--follow]}, against
     * KAFKA_BOOTSTRAP_SERVERS, or the local standalone broker on its default port.
     */
    private static void runMonitor(String[] args) {
        List<String> options = Arrays.asList(args);
        boolean fromBeginning = options.contains("--from-beginning");
        String backup = valueOf(options, "--backup");
        String account = valueOf(options, "--account");
        Monitor.Filter filter = backup == null && account == null ? Monitor.Filter.NONE
                : new Monitor.Filter(backup, account, options.contains("--follow"));
        ConfigSource config = localBroker();
        Monitor monitor = new Monitor(KafkaSettings.from(config), fromBeginning, filter,
                System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(monitor::close, "backuprelay-monitor-shutdown"));
        monitor.run();
    }

    /** The environment, with KAFKA_BOOTSTRAP_SERVERS defaulting to the local standalone broker's port. */
    private static ConfigSource localBroker() {
        ConfigSource environment = ConfigSource.fromEnvironment();
        return environment.with(Map.of(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name(),
                CommonSettings.KAFKA_BOOTSTRAP_SERVERS.read(environment,
                        "127.0.0.1:" + StandaloneSettings.KAFKA_PORT.read(environment))));
    }

    /** The restore command, its storage checked against the operators' allowlist as the services check it. */
    private static int runRestore(String[] args) {
        return new RestoreCommand(System.out, System.err, ConfigSource.fromEnvironment()).run(args);
    }

    private static String valueOf(List<String> options, String name) {
        int at = options.indexOf(name);
        if (at < 0) {
            return null;
        }
        if (at + 1 >= options.size() || options.get(at + 1).startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return options.get(at + 1);
    }

    /** Against KAFKA_BOOTSTRAP_SERVERS and the keys of the environment, or the local standalone's. */
    private static int runRekey() throws Exception {
        ConfigSource environment = ConfigSource.fromEnvironment();
        try {
            ConfigSource config = Standalone.withLocalDefaults(localBroker(),
                    CommonSettings.DATA_DIR.read(environment).toAbsolutePath());
            new RekeyCommand(KafkaSettings.from(config),
                    SecretSealer.from(config, true), System.out).run();
            return 0;
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            return 2;
        }
    }

    private static void runDemo() throws Exception {
        ServiceMain.runUntilStopped("backuprelay-demo", () -> Demo.start(ConfigSource.fromEnvironment()));
    }

    private static void runStandalone() throws Exception {
        ServiceMain.runUntilStopped("backuprelay", () -> Standalone.start(ConfigSource.fromEnvironment(), System::exit));
    }
}
