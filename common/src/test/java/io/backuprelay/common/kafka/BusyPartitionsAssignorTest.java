package io.backuprelay.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The plan of the busy-aware cooperative assignor, round by round. */
class BusyPartitionsAssignorTest {

    private static final List<TopicPartition> SIX = IntStream.range(0, 6).mapToObj(i -> new TopicPartition("t", i)).toList();

    @Test
    void aNewcomerGetsIdlePartitionsOnlyAfterTheirOwnerRevokedThemAndNeverABusyOne() {
        TopicPartition busy = SIX.get(4);
        Map<String, Subscription> firstRound = new LinkedHashMap<>();
        firstRound.put("a", subscription(SIX, Set.of(busy)));
        firstRound.put("b", subscription(List.of(), Set.of()));

        Map<String, List<TopicPartition>> first = BusyPartitionsAssignor.assignTopic(SIX, firstRound);

        assertThat(first.get("a")).hasSize(3).contains(busy);
        assertThat(first.get("b")).as("nothing still owned by a is handed over in the same round").isEmpty();

        Map<String, Subscription> secondRound = new LinkedHashMap<>();
        secondRound.put("a", subscription(first.get("a"), Set.of(busy)));
        secondRound.put("b", subscription(List.of(), Set.of()));
        Map<String, List<TopicPartition>> second = BusyPartitionsAssignor.assignTopic(SIX, secondRound);

        assertThat(second.get("a")).containsExactlyInAnyOrderElementsOf(first.get("a"));
        assertThat(second.get("b")).hasSize(3).doesNotContain(busy);
    }

    @Test
    void busyPartitionsStayEvenBeyondAnEvenShare() {
        Set<TopicPartition> busy = Set.of(SIX.get(0), SIX.get(1), SIX.get(2), SIX.get(3));
        Map<String, Subscription> round = new LinkedHashMap<>();
        round.put("a", subscription(SIX, busy));
        round.put("b", subscription(List.of(), Set.of()));

        Map<String, List<TopicPartition>> plan = BusyPartitionsAssignor.assignTopic(SIX, round);

        assertThat(plan.get("a")).containsAll(busy);
    }

    @Test
    void aMemberThatLeftHasItsPartitionsSpreadAtOnce() {
        Map<String, Subscription> round = new LinkedHashMap<>();
        round.put("a", subscription(SIX.subList(0, 3), Set.of()));
        round.put("c", subscription(List.of(), Set.of()));

        Map<String, List<TopicPartition>> plan = BusyPartitionsAssignor.assignTopic(SIX, round);

        assertThat(plan.get("a")).containsExactlyElementsOf(SIX.subList(0, 3));
        assertThat(plan.get("c")).containsExactlyElementsOf(SIX.subList(3, 6));
    }

    @Test
    void theBusyListSurvivesItsEncodingAndAForeignOneIsIgnored() {
        Set<TopicPartition> busy = Set.of(new TopicPartition("p.backup.requests", 2), new TopicPartition("x", 11));
        assertThat(BusyPartitionsAssignor.decode(BusyPartitionsAssignor.encode(busy))).isEqualTo(busy);
        assertThat(BusyPartitionsAssignor.decode(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isEmpty();
        assertThat(BusyPartitionsAssignor.decode(null)).isEmpty();
    }

    private static Subscription subscription(List<TopicPartition> owned, Set<TopicPartition> busy) {
        return new Subscription(List.of("t"), BusyPartitionsAssignor.encode(busy), owned);
    }
}
