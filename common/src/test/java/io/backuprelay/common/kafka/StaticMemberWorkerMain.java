package io.backuprelay.common.kafka;

import io.backuprelay.common.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A worker process for {@link StaticMembershipIT}: it echoes each input to the output topic, as
 * instance {@code args[2]}. Arguments: bootstrap servers, topic prefix, instance id.
 */
public final class StaticMemberWorkerMain {

    public static void main(String[] args) {
        String prefix = args[1];
        KafkaSettings kafka = new KafkaSettings(args[0], new Topics(prefix)).withInstanceId(args[2]);
        JobWorker<String> worker = new JobWorker<>(new JobWorkerConfig("member-" + args[2], prefix + "group",
                prefix + "input", prefix + "dlq", 3, Duration.ofSeconds(1), null), kafka,
                bytes -> new String(bytes, StandardCharsets.UTF_8),
                (input, context) -> JobResult.of(new Output(prefix + "output", context.key(),
                        (args[2] + ":" + input).getBytes(StandardCharsets.UTF_8))));
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
        worker.run();
    }
}
