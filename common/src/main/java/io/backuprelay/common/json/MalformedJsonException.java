package io.backuprelay.common.json;

/** A message's bytes are not what its topic promises. */
public final class MalformedJsonException extends RuntimeException {

    public MalformedJsonException(String message) {
        super(message);
    }
}
