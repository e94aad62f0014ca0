package io.backuprelay.common.kafka;

import io.backuprelay.common.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A worker process for {@link SigtermIT}: its one job runs until it is cancelled, and SIGTERM stops
 * the worker the way every service stops (a shutdown hook that closes it).
 * Arguments: bootstrap servers, topic prefix, marker directory.
 */
public final class SigtermWorkerMain {

    public static void main(String[] args) throws Exception {
        String prefix = args[1];
        Path markers = Path.of(args[2]);
        KafkaSettings kafka = new KafkaSettings(args[0], new Topics(prefix));
        JobWorker<String> worker = new JobWorker<>(new JobWorkerConfig("sigterm-worker", prefix + "group",
                prefix + "input", prefix + "dlq", 1, Duration.ofMillis(500), null), kafka,
                bytes -> new String(bytes, StandardCharsets.UTF_8), (input, context) -> {
                    Files.writeString(markers.resolve("started"), input);
                    try {
                        new CountDownLatch(1).await();
                        return JobResult.of(new Output(prefix + "output", context.key(), "done".getBytes()));
                    } finally {
                        Files.writeString(markers.resolve("cleaned-up"), input);
                    }
                });
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
        worker.run();
    }
}
