package io.backuprelay.common.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.TopicPartition;

/**
 * A cooperative, sticky assignor that never moves a partition whose job is running. Each member
 * names its busy partitions in its subscription; the leader keeps them where they are, keeps the
 * rest where they are up to an even share, and spreads what is left. A partition moving between
 * members is first revoked and only given out in the follow-up rebalance, as the cooperative
 * protocol requires. So an instance joining or leaving never cancels a dump that runs elsewhere.
 */
public final class BusyPartitionsAssignor implements ConsumerPartitionAssignor, Configurable {

    /** The consumer property holding a {@code Supplier<Set<TopicPartition>>} of this member's busy partitions. */
    public static final String BUSY_PARTITIONS = "backuprelay.busy.partitions";

    private Supplier<Set<TopicPartition>> busy = Set::of;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        Object supplier = configs.get(BUSY_PARTITIONS);
        if (supplier instanceof Supplier<?> given) {
            busy = (Supplier<Set<TopicPartition>>) given;
        }
    }

    @Override
    public String name() {
        return "backuprelay-busy-sticky";
    }

    @Override
    public List<RebalanceProtocol> supportedProtocols() {
        return List.of(RebalanceProtocol.COOPERATIVE);
    }

    @Override
    public ByteBuffer subscriptionUserData(Set<String> topics) {
        return encode(busy.get());
    }

    @Override
    public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        Map<String, Subscription> subscriptions = groupSubscription.groupSubscription();
        Map<String, List<TopicPartition>> result = new HashMap<>();
        subscriptions.keySet().forEach(member -> result.put(member, new ArrayList<>()));
        Set<String> topics = new TreeSet<>();
        subscriptions.values().forEach(s -> topics.addAll(s.topics()));
        for (String topic : topics) {
            Integer count = metadata.partitionCountForTopic(topic);
            if (count == null) {
                continue;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                partitions.add(new TopicPartition(topic, i));
            }
            Map<String, Subscription> members = new LinkedHashMap<>();
            subscriptions.entrySet().stream()
                    .filter(e -> e.getValue().topics().contains(topic))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> members.put(e.getKey(), e.getValue()));
            assignTopic(partitions, members).forEach((member, assigned) -> result.get(member).addAll(assigned));
        }
        Map<String, Assignment> assignments = new HashMap<>();
        result.forEach((member, partitions) -> assignments.put(member, new Assignment(partitions)));
        return new GroupAssignment(assignments);
    }

    /** The plan for one topic's partitions among the members that subscribe to it. */
    static Map<String, List<TopicPartition>> assignTopic(List<TopicPartition> partitions, Map<String, Subscription> members) {
        Map<String, List<TopicPartition>> plan = new LinkedHashMap<>();
        members.keySet().forEach(member -> plan.put(member, new ArrayList<>()));
        if (members.isEmpty()) {
            return plan;
        }
        Set<TopicPartition> exists = new HashSet<>(partitions);
        Map<TopicPartition, String> owner = owners(members, exists);
        Set<TopicPartition> placed = new HashSet<>();
        // 1. Busy partitions stay with their owner, whatever the balance.
        members.forEach((member, subscription) -> decode(subscription.userData()).stream()
                .filter(p -> member.equals(owner.get(p)) && placed.add(p))
                .forEach(p -> plan.get(member).add(p)));
        // 2. Owned partitions stay, up to an even share; the largest owners get the larger shares.
        int floor = partitions.size() / members.size();
        int larger = partitions.size() % members.size();
        List<String> byOwned = new ArrayList<>(members.keySet());
        byOwned.sort(Comparator.comparingInt((String m) -> -(int) owner.values().stream().filter(m::equals).count())
                .thenComparing(Comparator.naturalOrder()));
        for (String member : byOwned) {
            int share = floor + (larger > 0 ? 1 : 0);
            if (larger > 0) {
                larger--;
            }
            for (TopicPartition p : partitions) {
                if (plan.get(member).size() >= share) {
                    break;
                }
                if (member.equals(owner.get(p)) && placed.add(p)) {
                    plan.get(member).add(p);
                }
            }
        }
        // 3. The rest to whoever has least; a partition that another member still owns waits for the
        //    follow-up rebalance, after that member has revoked it.
        for (TopicPartition p : partitions) {
            if (placed.contains(p)) {
                continue;
            }
            String least = plan.entrySet().stream()
                    .min(Comparator.comparingInt((Map.Entry<String, List<TopicPartition>> e) -> e.getValue().size())
                            .thenComparing(Map.Entry::getKey))
                    .orElseThrow().getKey();
            placed.add(p);
            plan.get(least).add(p);
        }
        plan.forEach((member, assigned) -> assigned.removeIf(p -> owner.containsKey(p) && !owner.get(p).equals(member)));
        return plan;
    }

    /** Who owns each partition now; a partition two members claim is treated as owned by neither. */
    private static Map<TopicPartition, String> owners(Map<String, Subscription> members, Set<TopicPartition> exists) {
        Map<TopicPartition, String> owner = new HashMap<>();
        Set<TopicPartition> disputed = new HashSet<>();
        members.forEach((member, subscription) -> {
            for (TopicPartition p : subscription.ownedPartitions()) {
                if (exists.contains(p) && owner.putIfAbsent(p, member) != null) {
                    disputed.add(p);
                }
            }
        });
        disputed.forEach(owner::remove);
        return owner;
    }

    static ByteBuffer encode(Set<TopicPartition> partitions) {
        StringBuilder text = new StringBuilder();
        for (TopicPartition p : partitions) {
            text.append(text.isEmpty() ? "" : ",").append(p.topic()).append(':').append(p.partition());
        }
        return ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Set<TopicPartition> decode(ByteBuffer data) {
        if (data == null || !data.hasRemaining()) {
            return Set.of();
        }
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        Set<TopicPartition> partitions = new HashSet<>();
        for (String item : new String(bytes, StandardCharsets.UTF_8).split(",")) {
            int colon = item.lastIndexOf(':');
            if (colon > 0) {
                try {
                    partitions.add(new TopicPartition(item.substring(0, colon), Integer.parseInt(item.substring(colon + 1))));
                } catch (NumberFormatException e) {
                    // a member of another version: its busy list is ignored, never fatal
                }
            }
        }
        return partitions;
    }
}
