package io.backuprelay.standalone.restore;

/** A restore that cannot go on, with the words a person needs to act. */
final class RestoreException extends RuntimeException {

    RestoreException(String message) {
        super(message);
    }

    RestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
