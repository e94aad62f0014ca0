package io.backuprelay.common.config;

/** A setting is missing or wrong; the message names the variable. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String variable, String problem) {
        super(variable + " " + problem);
    }
}
