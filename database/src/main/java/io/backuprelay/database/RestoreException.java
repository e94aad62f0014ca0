package io.backuprelay.database;

/** A restore that cannot go on, with the words a person needs to act. */
public final class RestoreException extends RuntimeException {

    public RestoreException(String message) {
        super(message);
    }

    public RestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
