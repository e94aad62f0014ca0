package io.backuprelay.common.kafka;

import java.io.Closeable;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A plain (not transactional) producer of string keys and raw values, as one component sends with it:
 * a producer of its own, or the one its process shares ({@link SharedClients#producer}). Only sends
 * are offered, so that no user can close, flush or reconfigure a producer others send with; its
 * {@link #close} closes a producer of its own, and lets go of a shared one.
 */
public final class PlainProducer implements Closeable {

    private final Producer<String, byte[]> producer;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param release what {@link #close} does, once */
    PlainProducer(Producer<String, byte[]> producer, Runnable release) {
        this.producer = producer;
        this.release = release;
    }

    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return producer.send(record);
    }

    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        return producer.send(record, callback);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }
}
