package io.backuprelay.common.kafka;

/** The input can never be processed as it is: it goes to the dead-letter topic, and the worker goes on. */
public class PoisonMessageException extends RuntimeException {

    public PoisonMessageException(String message) {
        super(message);
    }

    public PoisonMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
