package io.backuprelay.standalone;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.backuprelay.testkit.KafkaProbe;
import io.backuprelay.testkit.TestKafka;
import io.backuprelay.testkit.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The places a planted secret must never show up in, as text, for the tests that plant one: log
 * lines (with every cause), raw emails, and the records of a stack's topics.
 */
final class SecretSearch {

    private SecretSearch() {
    }

    /** Each log line with the class and message of every cause and suppressed exception. */
    static List<String> logLines(List<ILoggingEvent> events) {
        return events.stream().map(event -> "log: " + event.getFormattedMessage() + causes(event.getThrowableProxy()))
                .toList();
    }

    /** Each email to an address containing {@code recipient}, raw as it went over the wire. */
    static List<String> emailsTo(String recipient) throws Exception {
        List<String> emails = new ArrayList<>();
        for (MimeMessage message : TestSmtp.messagesTo(recipient)) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            message.writeTo(raw);
            emails.add("email: " + raw.toString(StandardCharsets.UTF_8));
        }
        return emails;
    }

    /** Every record (key and value) of every topic under {@code prefix} on the test broker. */
    static List<String> kafkaRecords(String prefix) throws Exception {
        List<String> records = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrapServers()))) {
            for (String topic : admin.listTopics().names().get()) {
                if (topic.startsWith(prefix)) {
                    KafkaProbe.records(topic).forEach(r -> records.add("kafka " + topic + ": " + r.key() + " "
                            + (r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8))));
                }
            }
        }
        return records;
    }

    private static String causes(IThrowableProxy proxy) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy p = proxy; p != null; p = p.getCause()) {
            text.append(" | ").append(p.getClassName()).append(": ").append(p.getMessage());
            for (IThrowableProxy suppressed : p.getSuppressed()) {
                text.append(" | suppressed ").append(suppressed.getMessage());
            }
        }
        return text.toString();
    }
}
