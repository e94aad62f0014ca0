package io.backuprelay.common.kafka;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/** Which Kafka errors end a component, as opposed to those that are waited out. */
public final class KafkaErrors {

    private KafkaErrors() {
    }

    /**
     * Fenced (a newer instance with the same id took over: this one is a zombie), refused by the
     * cluster's ACLs or authentication, or a broker too old. Restarting is the only way on; timeouts
     * and unreachable brokers are never fatal.
     */
    public static boolean isFatal(Throwable error) {
        return error instanceof ProducerFencedException
                || error instanceof FencedInstanceIdException
                || error instanceof AuthorizationException
                || error instanceof AuthenticationException
                || error instanceof UnsupportedVersionException;
    }
}
