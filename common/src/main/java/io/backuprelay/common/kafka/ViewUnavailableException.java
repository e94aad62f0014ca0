package io.backuprelay.common.kafka;

/**
 * A view of a compacted topic could not catch up in time, because the broker is unreachable or
 * slow. The input is not at fault: {@link RetryingHandler} tries again for as long as it takes,
 * and never dead-letters it for this.
 */
public final class ViewUnavailableException extends RuntimeException {

    public ViewUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
