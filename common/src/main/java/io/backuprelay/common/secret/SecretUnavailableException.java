package io.backuprelay.common.secret;

/** A sealed secret could not be opened. The message never contains the secret. */
public final class SecretUnavailableException extends RuntimeException {

    public SecretUnavailableException(String message) {
        super(message);
    }
}
