package io.backuprelay.standalone;

import io.backuprelay.common.kafka.DeadLetters;
import io.backuprelay.common.kafka.KafkaSettings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * {@code backuprelay dlq list | show ID | replay [--topic T] [--since TIME] [--dry-run] [ID…]}: the
 * dead-letter topic for operators. A record's ID is {@code <partition>-<offset>} on {@code backup.dlq}.
 *
 * <p>Replay writes a record's key and value back to the topic it came from, with the header
 * {@value #REPLAYED_FROM} naming the dead letter. It is idempotent: a dead letter whose replay is
 * already on its source topic is skipped, so running replay twice writes each record once. A
 * record whose value was cut to fit the dead-letter topic is never replayed. What a replayed record
 * then does is the services' own idempotency: a request whose backup already completed is
 * acknowledged without a dump (`DumpHandlerIT.aRequestWhoseBackupAlreadySucceededIsAcknowledgedWithoutADump`), and an outcome already mailed is not mailed again.
 */
final class DlqCommand {

    static final String REPLAYED_FROM = "dlq.replayed.from";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private static final String USAGE = """
            usage: backuprelay dlq list [--topic T] [--since 2026-11-29T08:00:00Z]
                   backuprelay dlq show ID
                   backuprelay dlq replay [--topic T] [--since TIME] [--dry-run] [ID…]
              the dead-letter topic backup.dlq; ID is a dead letter's partition-offset, as list shows it""";

    private final KafkaSettings kafka;
    private final PrintStream out;
    private final PrintStream err;

    /** @param err where a usage error is said; what the command is for goes to {@code out} */
    DlqCommand(KafkaSettings kafka, PrintStream out, PrintStream err) {
        this.kafka = kafka;
        this.out = out;
        this.err = err;
    }

    /** The usage, asked for: on {@code out}. */
    int help() {
        out.println(USAGE);
        return 0;
    }

    /** One dead letter. */
    record Letter(String id, Instant at, String sourceTopic, String key, byte[] value, Map<String, String> headers) {

        boolean truncated() {
            return headers.containsKey(DeadLetters.VALUE_TRUNCATED);
        }
    }

    /** @return the exit code: 0, 1 when no broker answers or there is no such dead letter, 2 for a usage error */
    int run(List<String> args) throws Exception {
        if (args.isEmpty()) {
            return usage("a subcommand is required");
        }
        Map<String, String> options = new HashMap<>();
        List<String> ids = new ArrayList<>();
        boolean dryRun = false;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--dry-run" -> dryRun = true;
                case "--topic", "--since" -> {
                    if (i + 1 >= args.size()) {
                        return usage(arg + " needs a value");
                    }
                    options.put(arg, args.get(++i));
                }
                default -> {
                    if (arg.startsWith("--") || !arg.matches("\\d+-\\d+")) {
                        return usage("'" + arg + "' is neither an option nor a dead letter's ID (partition-offset)");
                    }
                    ids.add(arg);
                }
            }
        }
        Instant since;
        try {
            since = options.containsKey("--since") ? Instant.parse(options.get("--since")) : Instant.EPOCH;
        } catch (DateTimeParseException e) {
            return usage("--since must be an ISO-8601 instant such as 2026-11-29T08:00:00Z");
        }
        String subcommand = args.getFirst();
        if (!List.of("list", "show", "replay").contains(subcommand)) {
            return usage("unknown subcommand '" + subcommand + "'");
        }
        if (subcommand.equals("show") && ids.size() != 1) {
            return usage("show takes one ID");
        }
        if (!BrokerCheck.answers(kafka, "dlq", err)) {
            return 1;
        }
        String topic = options.get("--topic") == null ? null : qualified(options.get("--topic"));
        List<Letter> letters = letters().stream()
                .filter(l -> !l.at().isBefore(since))
                .filter(l -> topic == null || topic.equals(l.sourceTopic()))
                .filter(l -> ids.isEmpty() || ids.contains(l.id()))
                .toList();
        return switch (subcommand) {
            case "list" -> list(letters);
            case "show" -> show(letters, ids.getFirst());
            default -> replay(letters, dryRun);
        };
    }

    private int list(List<Letter> letters) {
        out.printf("%-10s  %-19s  %-24s  %-36s  %s%n", "id", "time (UTC)", "from", "key", "error");
        for (Letter l : letters) {
            out.printf("%-10s  %-19s  %-24s  %-36s  %s%n", l.id(), TIME.format(l.at()), l.sourceTopic(), l.key(),
                    abbreviate(l.headers().getOrDefault(DeadLetters.ERROR, ""), 100));
        }
        out.println(letters.size() + " dead letter(s)");
        return 0;
    }

    private int show(List<Letter> letters, String id) {
        Letter l = letters.stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
        if (l == null) {
            err.println("dlq: no dead letter " + id + " on " + kafka.topics().deadLetters());
            return 1;
        }
        out.println("id:    " + l.id());
        out.println("time:  " + TIME.format(l.at()) + " UTC");
        out.println("key:   " + l.key());
        l.headers().forEach((name, value) -> out.println("header " + name + ": " + value));
        out.println("value: " + (l.value() == null ? "(none)" : new String(l.value(), StandardCharsets.UTF_8)));
        return 0;
    }

    private int replay(List<Letter> letters, boolean dryRun) throws InterruptedException, ExecutionException {
        Map<String, String> alreadyReplayed = replayed(letters);
        int replayed = 0;
        try (KafkaProducer<String, byte[]> producer = dryRun ? null
                : new KafkaProducer<>(kafka.producer("backuprelay-dlq-replay", null))) {
            for (Letter l : letters) {
                String where = alreadyReplayed.get(l.id());
                if (where != null) {
                    out.println(l.id() + ": already replayed to " + where + "; skipped");
                } else if (l.truncated()) {
                    out.println(l.id() + ": its value was cut to fit the dead-letter topic; not replayed");
                } else if (l.sourceTopic() == null) {
                    out.println(l.id() + ": has no source topic; not replayed");
                } else if (dryRun) {
                    out.println(l.id() + ": would replay to " + l.sourceTopic() + " (key " + l.key() + ")");
                } else {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(REPLAYED_FROM, l.id().getBytes(StandardCharsets.UTF_8));
                    var written = producer.send(new ProducerRecord<>(l.sourceTopic(), null, l.key(), l.value(), headers)).get();
                    out.println(l.id() + ": replayed to " + l.sourceTopic() + " " + written.partition() + "-"
                            + written.offset());
                    replayed++;
                }
            }
        }
        out.println((dryRun ? "dry run: nothing written; " : "") + replayed + " replayed");
        return 0;
    }

    /** The dead letters already replayed, by ID → where the replay is: found on their source topics by header. */
    private Map<String, String> replayed(List<Letter> letters) {
        Map<String, String> found = new HashMap<>();
        letters.stream().map(Letter::sourceTopic).filter(Objects::nonNull).distinct().forEach(topic ->
                TopicScan.each(kafka, "backuprelay-dlq", topic, record -> {
                    Header header = record.headers().lastHeader(REPLAYED_FROM);
                    if (header != null) {
                        found.put(new String(header.value(), StandardCharsets.UTF_8),
                                topic + " " + record.partition() + "-" + record.offset());
                    }
                }));
        return found;
    }

    private List<Letter> letters() {
        List<Letter> letters = new ArrayList<>();
        TopicScan.each(kafka, "backuprelay-dlq", kafka.topics().deadLetters(), record -> letters.add(letter(record)));
        return letters;
    }

    private static Letter letter(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        return new Letter(record.partition() + "-" + record.offset(), Instant.ofEpochMilli(record.timestamp()),
                headers.get(DeadLetters.SOURCE_TOPIC), record.key(), record.value(), headers);
    }

    /** A topic named as operators do ({@code backup.outcomes}), under this deployment's prefix. */
    private String qualified(String topic) {
        String prefix = kafka.topics().prefix();
        return topic.startsWith(prefix) ? topic : prefix + topic;
    }

    private static String abbreviate(String text, int max) {
        String line = text.replace('\n', ' ');
        return line.length() <= max ? line : line.substring(0, max) + "…";
    }

    private int usage(String problem) {
        err.println("dlq: " + problem);
        err.println(USAGE);
        return 2;
    }
}
