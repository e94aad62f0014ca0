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
            case "token" -> System.out.println(TokenCommand.mint(java.util.Arrays.copyOfRange(args, 1, args.length),
                    ConfigSource.fromEnvironment()));
            default -> {
                System.err.println("Unknown command '" + command + "'. Commands: demo, standalone, token");
                System.exit(2);
            }
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
            standalone = Standalone.start(ConfigSource.fromEnvironment());
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
