package io.backuprelay.verify;

/** The drill could not run (storage or drill server unreachable); it says nothing of the backup, and is tried again. */
final class DrillUnavailableException extends RuntimeException {

    DrillUnavailableException(String message) {
        super(message);
    }

    DrillUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
