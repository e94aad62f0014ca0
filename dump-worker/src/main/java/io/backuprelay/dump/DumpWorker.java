package io.backuprelay.dump;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.DatabaseEngine;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.CompactedTopicView;
import io.backuprelay.common.kafka.JobWorker;
import io.backuprelay.common.kafka.JobWorkerConfig;
import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.dump.archive.ArchiveSink;
import io.backuprelay.dump.postgres.PgDumpRunner;
import io.backuprelay.dump.postgres.PgDumpTools;
import java.io.Closeable;
import java.time.Clock;
import java.util.Map;

/** The dump step: reads {@code backup.requests}, writes {@code backup.dumps} or {@code backup.outcomes}. */
public final class DumpWorker implements Closeable {

    private final CompactedTopicView<Account> accounts;
    private final JobWorker<BackupRequested> worker;

    public DumpWorker(KafkaSettings kafka, DumpWorkerConfig config, SecretSealer sealer, Clock clock) {
        this.accounts = new CompactedTopicView<>(kafka, "dump-worker-accounts", kafka.topics().accounts(),
                bytes -> Json.decode(bytes, Account.class));
        DumpHandler handler = new DumpHandler(kafka.topics(), accounts::get,
                Map.of(DatabaseEngine.POSTGRESQL, new PgDumpRunner(PgDumpTools.debian())),
                sealer, new ArchiveSink(config.stagingDir(), config.zstdLevel()), clock);
        this.worker = new JobWorker<>(new JobWorkerConfig("dump-worker", kafka.topics().prefix() + DumpWorkerConfig.GROUP_ID,
                kafka.topics().requests(), kafka.topics().deadLetters(), config.concurrency(), config.shutdownGrace(), null),
                kafka, bytes -> Json.decode(bytes, BackupRequested.class), handler);
    }

    public DumpWorker start() {
        accounts.start();
        worker.start();
        return this;
    }

    public JobWorker<BackupRequested> jobs() {
        return worker;
    }

    @Override
    public void close() {
        worker.close();
        accounts.close();
    }
}
