package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchedulerTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");
    private final Topics topics = Topics.unprefixed();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> requests;
    private TestInputTopic<String, byte[]> outcomes;
    private TestOutputTopic<String, byte[]> status;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scheduler-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class);
        driver = new TopologyTestDriver(SchedulerTopology.build(topics), props);
        requests = driver.createInputTopic(topics.requests(), new StringSerializer(), new ByteArraySerializer());
        outcomes = driver.createInputTopic(topics.outcomes(), new StringSerializer(), new ByteArraySerializer());
        status = driver.createOutputTopic(topics.status(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void anAccountThatNeverHadABackupShowsNever() {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana@acme.example", T0);
        send(requests, request);

        BackupStatus current = latest("acme");
        assertThat(current.lastSuccessAt()).isNull();
        assertThat(current.inFlight().backupId()).isEqualTo(request.backupId());
        assertThat(current.inFlight().trigger()).isEqualTo(Trigger.MANUAL);
    }

    @Test
    void aCompletedBackupSetsTheLastBackupTimeAndEndsTheInFlightBackup() {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana@acme.example", T0);
        send(requests, request);
        send(outcomes, completed(request, T0.plusSeconds(90)));

        BackupStatus current = latest("acme");
        assertThat(current.lastSuccessAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(current.lastSuccessBackupId()).isEqualTo(request.backupId());
        assertThat(current.inFlight()).isNull();
        assertThat(current.lastOutcome().succeeded()).isTrue();
        assertThat(current.recent()).hasSize(1);
    }

    @Test
    void aFailureKeepsTheLastSuccessfulBackupAndRecordsWhy() {
        BackupRequested first = BackupRequested.manual("acme", "main", "ana", T0);
        send(requests, first);
        send(outcomes, completed(first, T0.plusSeconds(60)));
        BackupRequested second = BackupRequested.manual("acme", "main", "ana", T0.plusSeconds(3600));
        send(requests, second);
        send(outcomes, BackupFailed.of(second, FailureStage.DUMP, "Cannot reach the database server", T0.plusSeconds(3605)));

        BackupStatus current = latest("acme");
        assertThat(current.lastSuccessAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(current.inFlight()).isNull();
        assertThat(current.lastOutcome().succeeded()).isFalse();
        assertThat(current.lastOutcome().failedStage()).isEqualTo(FailureStage.DUMP);
        assertThat(current.lastOutcome().failureReason()).isEqualTo("Cannot reach the database server");
        assertThat(current.recent()).extracting(BackupStatus.OutcomeSummary::backupId)
                .containsExactly(second.backupId(), first.backupId());
    }

    @Test
    void aRedeliveredOutcomeChangesNothing() {
        BackupRequested request = BackupRequested.manual("acme", "main", "ana", T0);
        send(requests, request);
        BackupCompleted done = completed(request, T0.plusSeconds(60));
        send(outcomes, done);
        send(outcomes, done);
        send(requests, request);

        BackupStatus current = latest("acme");
        assertThat(current.recent()).hasSize(1);
        assertThat(current.inFlight()).isNull();
    }

    @Test
    void keepsAccountsApartAndSkipsAMalformedEvent() {
        requests.pipeInput("acme", "{not json".getBytes(StandardCharsets.UTF_8));
        BackupRequested acme = BackupRequested.manual("acme", "main", "ana", T0);
        BackupRequested globex = BackupRequested.manual("globex", "main", "hank", T0);
        send(requests, acme);
        send(requests, globex);
        send(outcomes, completed(globex, T0.plusSeconds(30)));

        Map<String, BackupStatus> all = latestAll();
        assertThat(all.get("acme").lastSuccessAt()).isNull();
        assertThat(all.get("acme").inFlight().backupId()).isEqualTo(acme.backupId());
        assertThat(all.get("globex").lastSuccessAt()).isEqualTo(T0.plusSeconds(30));
    }

    private static BackupCompleted completed(BackupRequested request, Instant at) {
        return new BackupCompleted(0, "e-" + request.backupId(), request.backupId(), request.accountId(), at,
                request.trigger(), new BlobLocation("acmeblobs", "backups", "acme/x.dump.zst", "http://x"), 1234L,
                "abc", "POSTGRESQL", request.occurredAt(), at);
    }

    private static void send(TestInputTopic<String, byte[]> topic, BackupEvent event) {
        topic.pipeInput(event.accountId(), Json.encode(event));
    }

    private BackupStatus latest(String accountId) {
        return latestAll().get(accountId);
    }

    private Map<String, BackupStatus> latestAll() {
        Map<String, BackupStatus> latest = new java.util.HashMap<>();
        status.readKeyValuesToList().forEach(kv -> latest.put(kv.key, Json.decode(kv.value, BackupStatus.class)));
        return latest;
    }
}
