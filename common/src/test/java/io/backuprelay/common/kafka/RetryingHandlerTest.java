package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry decorator of job handlers, with a sleeper that records instead of sleeping. */
class RetryingHandlerTest {

    private final List<Duration> slept = new ArrayList<>();
    private final RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(3));
    private final JobContext context = new JobContext("t.backup.requests", 0, 7, "acme", 1);

    @Test
    void aTransientErrorIsTriedAgainWithGrowingDelaysThenGivenUp() {
        AtomicInteger calls = new AtomicInteger();
        List<Boolean> lastAttempt = new ArrayList<>();
        RetryingHandler<String> handler = new RetryingHandler<>((in, ctx) -> {
            calls.incrementAndGet();
            lastAttempt.add(ctx.lastAttempt());
            throw new IllegalStateException("SMTP server unreachable");
        }, policy, slept::add);

        assertThatThrownBy(() -> handler.handle("x", context)).hasMessage("SMTP server unreachable");
        assertThat(calls).hasValue(3);
        assertThat(lastAttempt).containsExactly(false, false, true);
        assertThat(slept).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    @Test
    void aSuccessAfterAFailureReturnsItsResult() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RetryingHandler<String> handler = new RetryingHandler<>((in, ctx) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("once");
            }
            return JobResult.of(new Output("out", "acme", new byte[] {1}));
        }, policy, slept::add);

        assertThat(handler.handle("x", context).outputs()).hasSize(1);
        assertThat(slept).hasSize(1);
    }

    @Test
    void poisonIsNeverRetried() {
        AtomicInteger calls = new AtomicInteger();
        RetryingHandler<String> handler = new RetryingHandler<>((in, ctx) -> {
            calls.incrementAndGet();
            throw new PoisonMessageException("not a backup request");
        }, policy, slept::add);

        assertThatThrownBy(() -> handler.handle("x", context)).isInstanceOf(PoisonMessageException.class);
        assertThat(calls).hasValue(1);
        assertThat(slept).isEmpty();
    }

    @Test
    void anUnreachableBrokerIsWaitedOutWithoutUsingUpAttempts() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RetryingHandler<String> handler = new RetryingHandler<>((in, ctx) -> {
            if (calls.incrementAndGet() <= 10) {
                throw new ViewUnavailableException("Could not catch up with backup.accounts", null);
            }
            assertThat(ctx.attempt()).as("waiting for the broker is not an attempt").isEqualTo(1);
            return JobResult.of();
        }, policy, slept::add);

        assertThat(handler.handle("x", context).outputs()).isEmpty();
        assertThat(calls).hasValue(11);
        assertThat(slept).hasSize(10);
    }
}
