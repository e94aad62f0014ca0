package io.backuprelay.standalone;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.kafka.KafkaSettings;
import java.util.List;

/**
 * {@code backuprelay monitor [--from-beginning] [--backup ID | --account A] [--follow] [--instances]}: its
 * arguments checked, the broker asked whether it is there, one line on stderr saying what is followed, then
 * {@link Monitor} on stdout until Ctrl-C (or, for one backup or account, until the topic is read).
 */
final class MonitorCommand {

    static final String USAGE = """
            usage: backuprelay monitor [--from-beginning] [--backup ID | --account A [--follow]] [--instances]
              one line per backup stage change on backup.ops, as it happens (--from-beginning: the topic's whole history)
              --backup ID, --account A: that backup's (account's) events from the beginning, then each backup's whole
                                        life; --follow goes on after that
              --instances: also each service instance's heartbeat (INSTANCE HEARTBEAT, once a minute)
              (the broker at KAFKA_BOOTSTRAP_SERVERS, or the local standalone's)""";

    private static final List<String> FLAGS = List.of("--from-beginning", "--follow", "--instances");
    private static final List<String> VALUED = List.of("--backup", "--account");

    private MonitorCommand() {
    }

    /** @return the exit code: 0, 1 when no broker answers, 2 for wrong arguments */
    static int run(String[] args, ConfigSource config) {
        List<String> options = List.of(args);
        if (options.contains("--help") || options.contains("-h")) {
            System.out.println(USAGE);
            return 0;
        }
        String problem = problem(options);
        if (problem != null) {
            System.err.println("monitor: " + problem);
            System.err.println(USAGE);
            return 2;
        }
        String backup = valueOf(options, "--backup");
        String account = valueOf(options, "--account");
        boolean instances = options.contains("--instances");
        Monitor.Filter filter = new Monitor.Filter(backup, account, backup == null && account == null
                || options.contains("--follow"), instances);
        KafkaSettings kafka = KafkaSettings.from(config);
        if (!BrokerCheck.answers(kafka, "monitor", System.err)) {
            return 1;
        }
        System.err.println(intro(kafka, filter));
        Monitor monitor = new Monitor(kafka, options.contains("--from-beginning"), filter, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(monitor::close, "backuprelay-monitor-shutdown"));
        monitor.run();
        return 0;
    }

    private static String intro(KafkaSettings kafka, Monitor.Filter filter) {
        String what = filter.backupId() != null ? "backup " + filter.backupId() + "'s events"
                : filter.accountId() != null ? "account " + filter.accountId() + "'s events"
                : "backup stage changes" + (filter.instances() ? " and instance heartbeats" : "");
        return "Monitoring " + kafka.topics().ops() + " at " + kafka.bootstrapServers() + ": " + what
                + (filter.follow() ? "; Ctrl-C stops." : ", then each backup's whole life.");
    }

    /** What is wrong with the arguments, or null. */
    private static String problem(List<String> options) {
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            if (VALUED.contains(option)) {
                if (i + 1 >= options.size() || options.get(i + 1).startsWith("--")) {
                    return option + " needs a value";
                }
                i++;
            } else if (!FLAGS.contains(option)) {
                return "unknown argument '" + option + "'";
            }
        }
        return null;
    }

    private static String valueOf(List<String> options, String name) {
        int at = options.indexOf(name);
        return at < 0 ? null : options.get(at + 1);
    }
}
