package io.backuprelay.console.auth;

/** The request's token is missing, malformed, expired or not ours: 401. */
public final class InvalidTokenException extends RuntimeException {

    public InvalidTokenException(String message) {
        super(message);
    }
}
