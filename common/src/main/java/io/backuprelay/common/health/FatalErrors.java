package io.backuprelay.common.health;

import org.slf4j.LoggerFactory;

/**
 * Where a component reports a condition it cannot recover from (fenced by a newer instance, refused
 * by the cluster, an {@link Error}): the service shell then stops the process with a non-zero exit,
 * so the orchestrator restarts it. Outages and timeouts are never reported here; they are waited out.
 */
@FunctionalInterface
public interface FatalErrors {

    /** Logs only: for tests and tools that run a component without a shell. */
    FatalErrors LOG_ONLY = (component, error) -> LoggerFactory.getLogger(FatalErrors.class)
            .error("{} stopped on a fatal error", component, error);

    void fatal(String component, Throwable error);
}
