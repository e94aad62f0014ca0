package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.testkit.LiveThreads;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of the clients the services of one process share: the threads that read the
 * compacted topics and send the plain records, one per topic and one per cluster's settings, kept
 * while any service still uses them. No broker is needed: the clients start their threads without one
 * (the address is a closed port), and a view's thread waits for the broker until it is closed.
 */
class SharedClientsTest {

    private static final Duration STOPS_WITHIN = Duration.ofSeconds(20);
    private static final Topics PRODUCTION = new Topics("Acme-Prod.");
    private static final KafkaSettings KAFKA = new KafkaSettings("127.0.0.1:1", PRODUCTION);

    @Test
    void withoutSharingEachServiceReadsATopicWithAThreadOfItsOwn() {
        assertThat(SharedClients.sharing()).as("off unless the process turns it on").isFalse();
        try (var dump = SharedClients.view(KAFKA, "dump-worker-accounts", PRODUCTION.accounts(), Account.class).start();
             var upload = SharedClients.view(KAFKA, "upload-worker-accounts", PRODUCTION.accounts(), Account.class)
                     .start()) {
            assertThat(threads("view-dump-worker-accounts")).isEqualTo(1);
            assertThat(threads("view-upload-worker-accounts")).isEqualTo(1);
            assertThat(threads("view-" + PRODUCTION.accounts())).isZero();
        }
        await().atMost(STOPS_WITHIN).until(() -> threads("view-dump-worker-accounts") == 0
                && threads("view-upload-worker-accounts") == 0);
    }

    @Test
    void sharedOneTopicIsReadByOneThreadUntilTheLastServiceStopsItsView() {
        String thread = "view-" + PRODUCTION.accounts();
        try (var sharing = SharedClients.share()) {
            var dump = SharedClients.view(KAFKA, "dump-worker-accounts", PRODUCTION.accounts(), Account.class);
            var console = SharedClients.view(KAFKA, "console-accounts", PRODUCTION.accounts(), Account.class);
            assertThat(threads(thread)).as("started by the first view's start, not before").isZero();
            dump.start();
            console.start();
            assertThat(threads(thread)).isEqualTo(1);
            assertThat(List.of(dump.health(), console.health())).extracting(ComponentHealth::name)
                    .as("each service's health lists the view it reads")
                    .containsExactly("view-dump-worker-accounts", "view-console-accounts");

            dump.close();
            dump.close(); // a second close lets go of nothing more
            assertThat(threads(thread)).as("the console still reads it").isEqualTo(1);
            assertThat(console.health().live()).isTrue();

            console.close();
            await().atMost(STOPS_WITHIN).until(() -> threads(thread) == 0);
        }
    }

    @Test
    void viewsOfAnotherPrefixTopicOrClusterAreCopiesOfTheirOwn() {
        Topics staging = new Topics("Acme-Staging.");
        KafkaSettings signedIn = new KafkaSettings(KAFKA.bootstrapServers(), PRODUCTION,
                Map.of("sasl.mechanism", "SCRAM-SHA-512"));
        try (var sharing = SharedClients.share();
             var production = SharedClients.view(KAFKA, "dump-worker-accounts", PRODUCTION.accounts(), Account.class)
                     .start();
             var other = SharedClients.view(KAFKA, "dump-worker-accounts", staging.accounts(), Account.class).start();
             var settings = SharedClients.view(KAFKA, "dump-worker-settings", PRODUCTION.settings(),
                     BackupSettings.class).start();
             var asAnotherUser = SharedClients.view(signedIn, "console-accounts", PRODUCTION.accounts(), Account.class)
                     .start()) {
            assertThat(threads("view-" + PRODUCTION.accounts())).isEqualTo(1);
            assertThat(threads("view-" + PRODUCTION.accounts() + "-2")).as("other client properties: not shared")
                    .isEqualTo(1);
            assertThat(threads("view-" + staging.accounts())).isEqualTo(1);
            assertThat(threads("view-" + PRODUCTION.settings())).isEqualTo(1);
        }
    }

    @Test
    void sharedProducersAreOnePerClusterSettingsAndOutliveAServiceThatStops() {
        String thread = "kafka-producer-network-thread | shared-producer";
        try (var sharing = SharedClients.share()) {
            PlainProducer ops = SharedClients.producer(KAFKA, "dump-worker-ops");
            PlainProducer events = SharedClients.producer(KAFKA, "dump-worker-events");
            PlainProducer console = SharedClients.producer(KAFKA, "console");
            assertThat(threads(thread)).isEqualTo(1);
            assertThat(threads("kafka-producer-network-thread | dump-worker-ops")).isZero();

            try (PlainProducer lingering = SharedClients.producer(KAFKA.withOverrides(Map.of("linger.ms", "50")),
                    "notifier-sent")) {
                assertThat(threads(thread + "-2")).as("other producer settings: a producer of their own").isEqualTo(1);
            }
            await().atMost(STOPS_WITHIN).until(() -> threads(thread + "-2") == 0);

            ops.close();
            events.close();
            assertThat(threads(thread)).as("the console still sends with it").isEqualTo(1);
            console.close();
            await().atMost(STOPS_WITHIN).until(() -> threads(thread) == 0);
        }
    }

    @Test
    void clientsAskedForAfterSharingEndsAreTheirOwnAgain() {
        var sharing = SharedClients.share();
        try (var shared = SharedClients.producer(KAFKA, "copier-ops")) {
            sharing.close();
            assertThat(SharedClients.sharing()).isFalse();
            try (var own = SharedClients.producer(KAFKA, "copier-events")) {
                assertThat(threads("kafka-producer-network-thread | copier-events")).isEqualTo(1);
                assertThat(threads("kafka-producer-network-thread | shared-producer"))
                        .as("made while sharing: used until its last user closes it").isEqualTo(1);
            }
        }
        await().atMost(STOPS_WITHIN).until(() -> threads("kafka-producer-network-thread | shared-producer") == 0
                && threads("kafka-producer-network-thread | copier-events") == 0);
    }

    /** Virtual threads included: from JDK 25 a view's reader runs on one. */
    private static long threads(String name) {
        return LiveThreads.named(name);
    }
}
