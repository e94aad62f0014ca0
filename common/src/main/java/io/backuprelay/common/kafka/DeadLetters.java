package io.backuprelay.common.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Builds the dead-letter record: the original key and bytes, with where they came from and why they failed. */
public final class DeadLetters {

    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    public static final String ERROR = "dlq.error";
    public static final String ERROR_CLASS = "dlq.error.class";
    /** Present when the value was cut to fit: the original value's length in bytes. */
    public static final String VALUE_TRUNCATED = "dlq.value.truncated.from.bytes";

    private static final int MAX_ERROR_CHARS = 2000;
    /**
     * A record near the producer's and the broker's 1 MB limit would not fit with the headers added;
     * its value is cut to this, and a header says so, rather than the record looping forever.
     */
    static final int MAX_VALUE_BYTES = 512 * 1024;

    private DeadLetters() {
    }

    static ProducerRecord<String, byte[]> of(String dlqTopic, ConsumerRecord<String, byte[]> source, Throwable error) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : source.headers()) {
            headers.add(header);
        }
        headers.add(SOURCE_TOPIC, utf8(source.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(source.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(source.offset())));
        headers.add(ERROR, utf8(truncate(String.valueOf(error.getMessage()))));
        headers.add(ERROR_CLASS, utf8(error.getClass().getName()));
        byte[] value = source.value();
        if (value != null && value.length > MAX_VALUE_BYTES) {
            headers.add(VALUE_TRUNCATED, utf8(Integer.toString(value.length)));
            value = Arrays.copyOf(value, MAX_VALUE_BYTES);
        }
        return new ProducerRecord<>(dlqTopic, null, source.key(), value, headers);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static String truncate(String message) {
        return message.length() <= MAX_ERROR_CHARS ? message : message.substring(0, MAX_ERROR_CHARS) + "…";
    }
}
