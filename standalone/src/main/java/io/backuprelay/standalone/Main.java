package io.backuprelay.standalone;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.util.concurrent.CountDownLatch;

/** The {@code backuprelay} command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "standalone" : args[0];
        switch (command) {
            case "standalone" -> runStandalone();
            case "demo" -> runDemo();
            case "monitor" -> runMonitor(java.util.Arrays.copyOfRange(args, 1, args.length));
            case "token" -> System.out.println(TokenCommand.mint(java.util.Arrays.copyOfRange(args, 1, args.length),
                    ConfigSource.fromEnvironment()));
            case "rekey" -> System.exit(runRekey());
            case "dlq" -> System.exit(new DlqCommand(io.backuprelay.common.kafka.KafkaSettings.from(localBroker()), System.out)
                    .run(java.util.Arrays.asList(args).subList(1, args.length)));
            case "restore" -> System.exit(new io.backuprelay.standalone.restore.RestoreCommand(System.out, System.err,
                    System.getenv()).run(java.util.Arrays.copyOfRange(args, 1, args.length)));
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
        java.util.List<String> options = java.util.Arrays.asList(args);
        boolean fromBeginning = options.contains("--from-beginning");
        String backup = valueOf(options, "--backup");
        String account = valueOf(options, "--account");
        Monitor.Filter filter = backup == null && account == null ? Monitor.Filter.NONE
                : new Monitor.Filter(backup, account, options.contains("--follow"));
        ConfigSource config = localBroker();
        Monitor monitor = new Monitor(io.backuprelay.common.kafka.KafkaSettings.from(config), fromBeginning, filter,
                System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(monitor::close, "backuprelay-monitor-shutdown"));
        monitor.run();
    }

    /** The environment, with KAFKA_BOOTSTRAP_SERVERS defaulting to the local standalone broker's port. */
    private static ConfigSource localBroker() {
        ConfigSource environment = ConfigSource.fromEnvironment();
        return environment.with(java.util.Map.of("KAFKA_BOOTSTRAP_SERVERS", environment.string("KAFKA_BOOTSTRAP_SERVERS",
                "127.0.0.1:" + environment.integer("BACKUPRELAY_KAFKA_PORT", 9092, 1, 65535))));
    }

    private static String valueOf(java.util.List<String> options, String name) {
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
            ConfigSource config = Standalone.withLocalDefaults(environment.with(java.util.Map.of("KAFKA_BOOTSTRAP_SERVERS",
                    environment.string("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + environment.integer("BACKUPRELAY_KAFKA_PORT",
                            9092, 1, 65535)))), environment.path("BACKUPRELAY_DATA_DIR", java.nio.file.Path.of("data"))
                    .toAbsolutePath());
            new RekeyCommand(io.backuprelay.common.kafka.KafkaSettings.from(config),
                    io.backuprelay.common.secret.SecretSealer.from(config, true), System.out).run();
            return 0;
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            return 2;
        }
    }

    private static void runDemo() throws Exception {
        Demo demo = Demo.start(ConfigSource.fromEnvironment());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            stopped.countDown();
        }, "backuprelay-demo-shutdown"));
        stopped.await();
    }

    private static void runStandalone() throws Exception {
        Standalone standalone;
        try {
            standalone = Standalone.start(ConfigSource.fromEnvironment(), System::exit);
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standalone.close();
            stopped.countDown();
        }, "backuprelay-shutdown"));
        stopped.await();
    }
}
