package io.backuprelay.common.health;


/** A part of a process that can say whether it is alive and ready; see {@link ComponentHealth}. */
@FunctionalInterface
public interface HealthCheck {

    ComponentHealth health();
}
