package io.backuprelay.common.service;

/** A started process of services: what stops it, and the shell whose health says whether it is ready. */
public interface RunningProcess extends AutoCloseable {

    ServiceShell shell();
}
