package io.backuprelay.verify;

import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthCheck;
import io.backuprelay.verify.VerifierConfig.DrillServer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the verifier from drilling until every configured drill server's user is minimal
 * ({@link DrillRole}): until then the verifier is not ready, and its health says which user is wrong
 * and how to fix it. Checked at start and every minute after, until it passes.
 */
final class DrillGate implements HealthCheck, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DrillGate.class);
    static final String NAME = "drill-servers";

    private final List<DrillServer> servers;
    private final Duration every;
    private volatile String blocked = "not checked yet";
    private volatile Thread checker;

    DrillGate(List<DrillServer> servers, Duration every) {
        this.servers = List.copyOf(servers);
        this.every = every;
    }

    /** Checks now and then every {@code every}; runs {@code open} once, when every server passes. */
    void start(Runnable open) {
        checker = Thread.ofVirtual().name("drill-gate").start(() -> {
            String told = null;
            while (true) {
                Optional<String> problem = firstProblem();
                if (problem.isEmpty()) {
                    blocked = null;
                    if (told != null) {
                        log.info("The drill servers' users are minimal now; restore drills start");
                    }
                    open.run();
                    return;
                }
                blocked = problem.get();
                if (!problem.get().equals(told)) {
                    told = problem.get();
                    log.error("Restore drills do not start: {}", told);
                }
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private Optional<String> firstProblem() {
        for (DrillServer server : servers) {
            try {
                Optional<String> problem = DrillRole.problem(server);
                if (problem.isPresent()) {
                    return problem;
                }
            } catch (SQLException e) {
                return Optional.of("The drill server " + server.target().describe() + " cannot be asked about its user"
                        + " (" + e.getMessage() + "); restore drills wait until it can.");
            }
        }
        return Optional.empty();
    }

    @Override
    public ComponentHealth health() {
        String problem = blocked;
        return problem == null ? ComponentHealth.up(NAME, servers.size() + " drill server(s), minimal users")
                : ComponentHealth.notReady(NAME, problem);
    }

    @Override
    public void close() {
        Thread running = checker;
        if (running != null) {
            running.interrupt();
        }
    }
}
