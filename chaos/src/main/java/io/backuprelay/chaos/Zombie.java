package io.backuprelay.chaos;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * A worker stopped (SIGSTOP) past its consumer session, then let go on (SIGCONT): the group has
 * meanwhile given its partitions to another instance, so what the zombie was doing when it stopped
 * must be fenced (neither committed nor published a second time), as after a long GC pause or a
 * frozen VM.
 */
final class Zombie {

    private Zombie() {
    }

    /**
     * Stops one of {@code workers} for its session timeout and 10 to 30 s more, then resumes it and
     * waits until it is ready.
     */
    static void inject(List<FaultTarget> workers, Random random, FaultLog log) throws Exception {
        List<FaultTarget> shuffled = new ArrayList<>(workers);
        Collections.shuffle(shuffled, random);
        FaultTarget target = null;
        for (FaultTarget candidate : shuffled) {
            if (candidate.hold()) { // not being restarted, nor under another fault
                target = candidate;
                break;
            }
        }
        if (target == null) {
            return;
        }
        try {
            Duration session = sessionTimeout(target.env());
            Duration stopped = session.plusSeconds(10 + random.nextInt(21));
            Instant start = Instant.now();
            signal("STOP", target.process());
            Instant resumed;
            try {
                log.count("zombie " + target.service() + ": SIGSTOP past its session timeout");
                System.out.printf("chaos: zombie: %s stopped for %d s (its session times out after %d s)%n", target.name(),
                        stopped.toSeconds(), session.toSeconds());
                Thread.sleep(stopped);
            } finally {
                resumed = Instant.now();
                log.window("zombie " + target.name(), start, resumed);
                if (target.process().isAlive()) {
                    signal("CONT", target.process());
                } else {
                    // Only SIGKILL, or SIGHUP with SIGCONT to an orphaned process group (the shell that started the run exited), end it.
                    System.out.printf("chaos: zombie: %s ended while stopped (exit %d)%n", target.name(),
                            target.process().exitValue());
                }
            }
            if (target.awaitReady(Duration.ofMinutes(5))) {
                log.recovered("zombie worker (SIGCONT to ready)", resumed);
                System.out.printf("chaos: zombie: %s ready %.1f s after SIGCONT%n", target.name(),
                        Duration.between(resumed, Instant.now()).toMillis() / 1000.0);
            }
        } finally {
            target.release();
        }
    }

    /** The consumers' {@code session.timeout.ms}: the service's {@code KAFKA_SESSION_TIMEOUT_MS}, else the client's default. */
    static Duration sessionTimeout(Map<String, String> env) {
        Object value = env.containsKey("KAFKA_SESSION_TIMEOUT_MS") ? env.get("KAFKA_SESSION_TIMEOUT_MS")
                : ConsumerConfig.configDef().defaultValues().get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        return Duration.ofMillis(Long.parseLong(value.toString()));
    }

    private static void signal(String name, Process process) throws IOException, InterruptedException {
        if (new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }
}
