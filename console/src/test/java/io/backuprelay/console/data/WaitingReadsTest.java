package io.backuprelay.console.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.kafka.KafkaSettings;
import io.backuprelay.common.kafka.ViewUnavailableException;
import io.backuprelay.common.topic.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Reads that present a position wait for the views, each holding a request thread: one account
 * may have two waiting at a time, and a third is refused at once while another account's read
 * still waits. The views here never catch up (no broker answers on port 1), so reads wait.
 */
class WaitingReadsTest {

    @Test
    void anAccountsReadsWaitTwoAtATimeAndAnotherAccountIsNotHeldBack() {
        String account = "Acme \"Ünïcode\" Ltd";
        ViewPosition seen = ViewPosition.of(ViewPosition.View.ACCOUNTS, 0, 5);
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        try (ConsoleData data = new ConsoleData(new KafkaSettings("127.0.0.1:1", new Topics("waiting-reads.")))) {
            readers.submit(() -> data.readAfter(seen, account));
            readers.submit(() -> data.readAfter(seen, account));
            await().atMost(Duration.ofSeconds(10)).until(() -> data.waitingReads(account) == 2);

            assertThatThrownBy(() -> data.readAfter(seen, account)).isInstanceOf(ViewUnavailableException.class)
                    .hasMessageContaining("Too many reads of this account are waiting");
            readers.submit(() -> data.readAfter(seen, "other"));
            await().atMost(Duration.ofSeconds(10)).until(() -> data.waitingReads("other") == 1);
            assertThat(data.waitingReads(account)).isEqualTo(2);
        } finally {
            readers.shutdownNow(); // the waiting reads end when their wait times out
        }
    }
}
