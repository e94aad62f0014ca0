package io.backuprelay.common.service;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * How a process of backuprelay runs until it is stopped, the same for each runnable jar (one
 * service, one per container) and the standalone mode: a wrong setting stops it with exit code
 * {@value #CONFIG_EXIT} naming the variable, a fatal error with {@link ServiceShell#FATAL_EXIT}
 * (from the shell), and SIGTERM stops it cleanly.
 */
public final class ServiceMain {

    /** The exit code of a process whose configuration is wrong. */
    public static final int CONFIG_EXIT = 2;

    /** Starts a process; what it returns stops it. */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start() throws Exception;
    }

    private ServiceMain() {
    }

    /** A runnable jar: the one service, from the environment. */
    public static void run(ServiceDefinition service) throws Exception {
        runUntilStopped(service.name(), () -> ServiceProcess.start(service.name(), List.of(service),
                ConfigSource.fromEnvironment(), new ServiceShell(service.name(), System::exit)));
    }

    /** Starts the process and waits, until SIGTERM stops it. */
    public static void runUntilStopped(String name, Starter starter) throws Exception {
        AutoCloseable process;
        try {
            process = starter.start();
        } catch (ConfigException e) {
            System.err.println("Configuration error: " + e.getMessage());
            System.exit(CONFIG_EXIT);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                process.close();
            } catch (Exception e) {
                System.err.println(name + " did not stop cleanly: " + e);
            }
            stopped.countDown();
        }, name + "-shutdown"));
        stopped.await();
    }
}
