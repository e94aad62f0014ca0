package io.backuprelay.standalone;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./backuprelay rekey}: re-seals every secret of {@code backup.accounts} and
 * {@code backup.connections} with the current master key, bound to its record and field. Run it
 * after adding a key to {@code BACKUPRELAY_MASTER_KEYS} (then the old key can be removed), and once
 * after upgrading from a version whose secrets were not bound. It opens what any key of the ring
 * sealed, bound or not, and writes only the records that change.
 */
final class RekeyCommand {

    static final String USAGE = """
            usage: backuprelay rekey
              re-seals every secret of backup.accounts and backup.connections with the current master key
              (BACKUPRELAY_MASTER_KEY_ID, by default the last of BACKUPRELAY_MASTER_KEYS; or the standalone's own key),
              after a key was added to the ring""";

    private final KafkaSettings kafka;
    private final SecretSealer sealer;
    private final PrintStream out;

    RekeyCommand(KafkaSettings kafka, SecretSealer sealer, PrintStream out) {
        this.kafka = kafka;
        this.sealer = sealer;
        this.out = out;
    }

    /** @return how many secrets were re-sealed */
    int run() throws Exception {
        int resealed = 0;
        int current = 0;
        Map<String, byte[]> changed = new LinkedHashMap<>();
        for (var entry : latest(kafka.topics().accounts()).entrySet()) {
            Account account = Json.decode(entry.getValue(), Account.class);
            SealedSecret password = account.source().password();
            if (password == null) {
                continue;
            }
            if (sealer.isCurrent(password)) {
                current++;
                continue;
            }
            SourceDatabase s = account.source();
            Account updated = new Account(account.accountId(), account.displayName(), account.locale(), account.timeZone(),
                    account.superadminEmails(), new SourceDatabase(s.engine(), s.host(), s.port(), s.database(), s.username(),
                    sealer.reseal(password, s.passwordContext(account.accountId())), s.schema(), s.tls()),
                    account.storageOrigins());
            changed.put("A" + entry.getKey(), Json.encode(updated));
            resealed++;
        }
        for (var entry : latest(kafka.topics().connections()).entrySet()) {
            Connection c = Json.decode(entry.getValue(), Connection.class);
            SealedSecret key = c.accessKey();
            SealedSecret sas = c.sasToken();
            boolean keyCurrent = key == null || sealer.isCurrent(key);
            boolean sasCurrent = sas == null || sealer.isCurrent(sas);
            if (keyCurrent && sasCurrent) {
                current++;
                continue;
            }
            Connection updated = new Connection(c.accountId(), c.connectionId(), c.type(), c.description(),
                    c.storageAccountName(), c.containerName(), c.path(),
                    keyCurrent ? key : sealer.reseal(key, c.accessKeyContext()),
                    c.enabledForAutomaticBackup(), c.endpoint(), c.accessTier(),
                    sasCurrent ? sas : sealer.reseal(sas, c.sasTokenContext()), null, null);
            changed.put("C" + entry.getKey(), Json.encode(updated));
            resealed++;
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer("backuprelay-rekey", null))) {
            for (var entry : changed.entrySet()) {
                String topic = entry.getKey().startsWith("A") ? kafka.topics().accounts() : kafka.topics().connections();
                producer.send(new ProducerRecord<>(topic, entry.getKey().substring(1), entry.getValue())).get();
            }
        }
        out.printf("Re-sealed %d record(s) with master key '%s'; %d already current.%n", resealed, sealer.currentKeyId(),
                current);
        return resealed;
    }

    /** The latest value of every key of a compacted topic (tombstones remove it). */
    private Map<String, byte[]> latest(String topic) {
        Map<String, byte[]> values = new HashMap<>();
        TopicScan.each(kafka, "backuprelay-rekey", topic, record -> {
            if (record.value() == null) {
                values.remove(record.key());
            } else {
                values.put(record.key(), record.value());
            }
        });
        return values;
    }
}
