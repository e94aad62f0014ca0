package io.backuprelay.common.service;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.config.Setting;
import java.util.List;

/**
 * One service, declared once: its name, the settings it reads (beyond those every service reads,
 * {@link io.backuprelay.common.config.CommonSettings#EVERY_SERVICE}), and how it starts its
 * components. The runnable jar ({@link ServiceMain}), the standalone mode and the deployment-file
 * test all run or read the same definitions.
 */
public interface ServiceDefinition {

    /** The service's name: its jar, its container, its metrics' {@code service} tag. */
    String name();

    /** Every setting the service reads, beyond the common ones. */
    List<Setting<?>> settings();

    /**
     * Reads and checks the service's settings as its start does, starting nothing: a wrong value
     * throws {@link io.backuprelay.common.config.ConfigException} naming the variable.
     */
    void check(ConfigSource config);

    /** Starts the service's components, adding each to the context's shell; the result stops them. */
    AutoCloseable start(ServiceContext context) throws Exception;
}
