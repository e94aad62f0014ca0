package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.account.BackupWindow;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.ScheduleState;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.event.BackupRequested;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.format.archive.Engine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup windows on the real topology, with the rate limit: the clock is driven by the test. */
class SchedulerWindowTest {

    private static final Instant T0 = Instant.parse("2027-05-03T08:00:00Z");
    private static final BackupWindow QUARTER_PAST_ONE = new BackupWindow(LocalTime.of(1, 0), 15, "UTC");

    @TempDir
    Path stateDir;

    private final Topics topics = Topics.unprefixed();
    private final MutableClock clock = new MutableClock(T0);
    private final Map<String, BackupStatus> latestStatus = new HashMap<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> settings;
    private TestInputTopic<String, byte[]> connections;
    private TestInputTopic<String, byte[]> requestsIn;
    private TestInputTopic<String, byte[]> outcomesIn;
    private TestOutputTopic<String, byte[]> requestsOut;
    private TestOutputTopic<String, byte[]> status;

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void backupsTheRateLimitHeldPastTheWindowsEndWaitForTheNextWindowFirstInLineAndThePageSaysWhy() {
        start(1); // one automatic request a minute: 15 fit in a 15-minute window
        List<String> crowd = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String account = "Crème Brûlée n°%02d".formatted(i);
            crowd.add(account);
            windowed(account, Instant.parse("2027-05-03T09:00:00Z")); // all due 2027-05-11 01:00
        }
        List<String> nextDay = List.of("ABC Compañía", "Aardvark \"Ltd\""); // before the others by name
        nextDay.forEach(account -> windowed(account, Instant.parse("2027-05-04T09:00:00Z"))); // due 2027-05-12 01:00

        advanceTo(Instant.parse("2027-05-11T00:59:00Z"));
        assertThat(requestedAndCompleted()).isEmpty();
        List<String> firstWindow = new ArrayList<>();
        for (int minute = 0; minute < 15; minute++) {
            advanceTo(Instant.parse("2027-05-11T01:00:00Z").plus(Duration.ofMinutes(minute)));
            firstWindow.addAll(requestedAndCompleted());
        }
        advanceTo(Instant.parse("2027-05-11T01:15:00Z"));
        advanceTo(Instant.parse("2027-05-11T18:00:00Z"));

        assertThat(requestedAndCompleted()).as("nothing outside the window").isEmpty();
        assertThat(firstWindow).as("in due order, then by account").containsExactlyElementsOf(crowd.subList(0, 15));
        for (String held : crowd.subList(15, 20)) {
            assertThat(status(held).state()).isEqualTo(ScheduleState.WINDOW_TOO_SHORT);
            assertThat(status(held).nextDueAt()).isEqualTo(Instant.parse("2027-05-12T01:00:00Z"));
        }
        assertThat(status(crowd.getFirst()).state()).isEqualTo(ScheduleState.SCHEDULED);
        assertThat(status(crowd.getFirst()).nextDueAt()).isEqualTo(Instant.parse("2027-05-18T01:00:00Z"));

        List<String> secondWindow = new ArrayList<>();
        for (int minute = 0; minute < 15; minute++) {
            advanceTo(Instant.parse("2027-05-12T01:00:00Z").plus(Duration.ofMinutes(minute)));
            secondWindow.addAll(requestedAndCompleted());
        }

        List<String> expected = new ArrayList<>(crowd.subList(15, 20));
        expected.addAll(nextDay);
        assertThat(secondWindow).as("the ones that waited go first").containsExactlyElementsOf(expected);
        assertThat(status(crowd.get(15)).state()).isEqualTo(ScheduleState.SCHEDULED);
        assertThat(status(crowd.get(15)).nextDueAt()).isEqualTo(Instant.parse("2027-05-19T01:00:00Z"));
    }

    @Test
    void aWindowLongEnoughForEveryoneSaysNothing() {
        start(10);
        for (int i = 0; i < 20; i++) {
            windowed("Crème Brûlée n°%02d".formatted(i), Instant.parse("2027-05-03T09:00:00Z"));
        }
        List<String> requested = new ArrayList<>();
        for (int minute = 0; minute <= 15; minute++) {
            advanceTo(Instant.parse("2027-05-11T01:00:00Z").plus(Duration.ofMinutes(minute)));
            requested.addAll(requestedAndCompleted());
        }

        assertThat(requested).hasSize(20);
        for (String account : requested) {
            assertThat(status(account).state()).isEqualTo(ScheduleState.SCHEDULED);
            assertThat(status(account).nextDueAt()).isEqualTo(Instant.parse("2027-05-18T01:00:00Z"));
        }
    }

    // ---- fixture ----

    private void start(int requestsPerMinute) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scheduler-window-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        SchedulerConfig config = new SchedulerConfig(stateDir, Duration.ofSeconds(1), requestsPerMinute, Duration.ofHours(6));
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, config, clock, requestsPerMinute), props, T0);
        StringSerializer keys = new StringSerializer();
        ByteArraySerializer values = new ByteArraySerializer();
        settings = driver.createInputTopic(topics.settings(), keys, values);
        connections = driver.createInputTopic(topics.connections(), keys, values);
        requestsIn = driver.createInputTopic(topics.requests(), keys, values);
        outcomesIn = driver.createInputTopic(topics.outcomes(), keys, values);
        requestsOut = driver.createOutputTopic(topics.requests(), new StringDeserializer(), new ByteArrayDeserializer());
        status = driver.createOutputTopic(topics.status(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** An account with a weekly schedule in the 01:00-01:15 UTC window, and a first manual backup at {@code at}. */
    private void windowed(String account, Instant at) {
        Connection connection = new Connection(account, "main", ConnectionType.AZURE_BLOB, "d", "acmeblobs",
                "backups", "", new SealedSecret("k1", "x"), true, null, null, null, null, null);
        connections.pipeInput(connection.key(), Json.encode(connection));
        settings.pipeInput(account, Json.encode(new BackupSettings(account, BackupType.EVERY_7_DAYS, "main", null, null,
                null).withWindow(QUARTER_PAST_ONE)));
        BackupRequested manual = BackupRequested.manual(account, "main", "ana@acme.example", at);
        send(requestsIn, manual);
        send(outcomesIn, completed(manual, at.plus(Duration.ofMinutes(10))));
    }

    /** The accounts the scheduler requested a backup of since last asked, each then completed at once. */
    private List<String> requestedAndCompleted() {
        List<String> accounts = new ArrayList<>();
        for (byte[] value : requestsOut.readValuesToList()) {
            BackupRequested request = Json.decode(value, BackupRequested.class);
            accounts.add(request.accountId());
            send(outcomesIn, completed(request, clock.instant().plusSeconds(30)));
        }
        return accounts;
    }

    private static BackupCompleted completed(BackupRequested request, Instant at) {
        return new BackupCompleted(0, "e-" + request.backupId(), request.backupId(), request.accountId(), at,
                request.trigger(), new BlobLocation("acmeblobs", "backups", "x.dump.zst", "http://x"), 1234L, "abc",
                Engine.POSTGRESQL, request.occurredAt(), at, List.of(), "main", List.of(), null, null, null);
    }

    private void advanceTo(Instant instant) {
        clock.set(instant);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
    }

    private static void send(TestInputTopic<String, byte[]> topic, BackupEvent event) {
        topic.pipeInput(event.accountId(), Json.encode(event));
    }

    private BackupStatus status(String accountId) {
        status.readKeyValuesToList().forEach(kv -> latestStatus.put(kv.key, Json.decode(kv.value, BackupStatus.class)));
        return latestStatus.get(accountId);
    }
}
