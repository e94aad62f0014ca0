package io.backuprelay.scheduler;

import io.backuprelay.common.ops.OpsStage;
import io.backuprelay.common.ops.OpsStatus;

import io.backuprelay.common.account.BackupStatus;
import io.backuprelay.common.ops.ServiceOps;
import io.backuprelay.common.topic.Topics;
import io.backuprelay.scheduler.schedule.AccountSchedule;
import io.backuprelay.scheduler.schedule.ScheduleRules;
import io.backuprelay.scheduler.schedule.Wake;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each account's schedule in a state store, indexes it by wake-up time, and on every tick
 * requests the backups whose time has come (oldest due first, within the request budget) and
 * declares timed-out backups failed. One instance of it runs per partition (task).
 */
final class ScheduleProcessor implements Processor<String, ScheduleInput, String, Routed> {

    static final String SCHEDULES = "account-schedules";
    static final String WAKE_INDEX = "wake-index";
    private static final Logger log = LoggerFactory.getLogger(ScheduleProcessor.class);
    private static final byte[] PRESENT = new byte[0];
    private static final long SLOW_TICK_NANOS = 1_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Topics topics;
    private final ScheduleRules rules;
    private final Clock clock;
    /** The scheduler's ops events, forwarded to {@code backup.ops} with the rest of its output. */
    private final ServiceOps ops;
    private final Duration tickInterval;
    private final int requestsPerMinute;
    private final TickListener ticks;
    private ProcessorContext<String, Routed> context;
    private KeyValueStore<String, AccountSchedule> schedules;
    private KeyValueStore<Bytes, byte[]> wakeIndex;
    private RequestBudget budget;

    ScheduleProcessor(Topics topics, ScheduleRules rules, Clock clock, Duration tickInterval, int requestsPerMinute,
                      TickListener ticks) {
        this.ticks = ticks;
        this.topics = topics;
        this.rules = rules;
        this.clock = clock;
        this.ops = ServiceOps.unpublished("scheduler", clock);
        this.tickInterval = tickInterval;
        this.requestsPerMinute = requestsPerMinute;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.schedules = context.getStateStore(SCHEDULES);
        this.wakeIndex = context.getStateStore(WAKE_INDEX);
        this.budget = new RequestBudget(requestsPerMinute, clock.instant());
        context.schedule(tickInterval, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, ScheduleInput> record) {
        String accountId = record.key();
        if (accountId == null || record.value() == null) {
            return;
        }
        AccountSchedule before = load(accountId);
        AccountSchedule after = switch (record.value()) {
            case ScheduleInput.SettingsChanged changed -> changed.settings() == null
                    ? rules.onSettings(before, null)
                    : rules.onSettings(before, changed.settings());
            case ScheduleInput.ConnectionChanged changed -> rules.onConnection(before, changed.connectionId(), changed.enabled());
            case ScheduleInput.EventSeen seen -> rules.onEvent(before, seen.event());
        };
        save(before, after, record.timestamp());
    }

    /**
     * Looks only at the accounts whose wake-up time has come. Whether a time has come is decided by
     * the injected clock; the records it writes carry the wall-clock time, as the broker expects.
     */
    void tick(long wallClockTimestamp) {
        long started = System.nanoTime();
        long startedCpu = THREADS.getCurrentThreadCpuTime();
        Instant now = clock.instant();
        int allowed = budget.available(now);
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> iterator = wakeIndex.range(WakeIndex.start(), WakeIndex.endOf(now))) {
            // Timeouts are not limited by the budget, but requests are: read a little past it.
            while (iterator.hasNext() && due.size() < Math.max(allowed, 0) + 1000) {
                due.add(iterator.next());
            }
        }
        long timestamp = wallClockTimestamp;
        int requested = 0;
        int timedOutCount = 0;
        for (AccountSchedule schedule : inDueOrder(due, now)) {
            String accountId = schedule.accountId();
            boolean isRequest = rules.requestDue(schedule, now);
            if (isRequest && allowed <= 0) {
                // over budget: it stays due, and is first in line at the next tick, unless its window closes first
                save(schedule, rules.heldBack(schedule, now), timestamp);
                continue;
            }
            Wake wake = rules.onWake(schedule, now);
            switch (wake) {
                case Wake.Request request -> {
                    allowed--;
                    requested++;
                    budget.spend();
                    context.forward(new Record<>(accountId, new Routed(topics.requests(), request.request()), timestamp));
                    context.forward(new Record<>(accountId, new Routed(topics.ops(), ops.event(
                            request.request().backupId(), accountId, OpsStage.REQUEST, OpsStatus.REQUESTED).withTime(now)
                            .withDetail(request.request().trigger() + " attempt " + request.request().attempt())),
                            timestamp));
                    log.debug("Requested automatic backup {} of account {} (attempt {})", request.request().backupId(),
                            accountId, request.request().attempt());
                }
                case Wake.TimedOut timedOut -> {
                    timedOutCount++;
                    context.forward(new Record<>(accountId, new Routed(topics.outcomes(), timedOut.failure()), timestamp));
                    log.warn("Backup {} of account {} timed out", timedOut.failure().backupId(), accountId);
                }
                case Wake.Nothing ignored -> {
                }
            }
            save(schedule, wake.next(), timestamp);
            var overdue = rules.overdue(wake.next(), now);
            if (overdue.isPresent()) {
                context.forward(new Record<>(accountId, new Routed(topics.outcomes(), overdue.get().alert()), timestamp));
                context.forward(new Record<>(accountId, new Routed(topics.ops(), ops.event(overdue.get().alert().backupId(),
                        accountId, OpsStage.SCHEDULE, OpsStatus.OVERDUE).withTime(now)
                        .withDetail("no success since " + overdue.get().alert().lastSuccessAt())), timestamp));
                log.warn("Backups of account {} are overdue: the last success was {}", accountId,
                        overdue.get().alert().lastSuccessAt());
                save(wake.next(), overdue.get().next(), timestamp);
            }
        }
        long nanos = System.nanoTime() - started;
        if (requested + timedOutCount > 0) {
            log.info("Partition {}: requested {} automatic backup(s), declared {} timed out, in {} ms",
                    context.taskId().partition(), requested, timedOutCount, nanos / 1_000_000);
        }
        ticks.onTick(context.taskId().partition(), due.size(), requested, timedOutCount, nanos,
                THREADS.getCurrentThreadCpuTime() - startedCpu);
        if (nanos > SLOW_TICK_NANOS) {
            log.warn("A tick of partition {} took {} ms for {} due account(s)", context.taskId().partition(),
                    nanos / 1_000_000, due.size());
        }
    }

    /**
     * The schedules of these index entries, dropping stale entries, in the order their backups fell due (then by
     * account): accounts whose windows open at the same minute are released by the rate limit in due order, and
     * one that waited for this window since its last one closed goes first.
     */
    private List<AccountSchedule> inDueOrder(List<KeyValue<Bytes, byte[]>> entries, Instant now) {
        List<AccountSchedule> found = new ArrayList<>(entries.size());
        for (KeyValue<Bytes, byte[]> entry : entries) {
            AccountSchedule schedule = schedules.get(WakeIndex.accountId(entry.key));
            if (schedule == null || !WakeIndex.time(entry.key).equals(truncated(schedule.wakeAt()))) {
                removeWake(entry.key); // stale: the schedule changed since
                continue;
            }
            found.add(schedule);
        }
        found.sort(Comparator.comparing((AccountSchedule s) -> rules.dueAt(s).orElse(now))
                .thenComparing(AccountSchedule::accountId));
        return found;
    }

    private AccountSchedule load(String accountId) {
        AccountSchedule schedule = schedules.get(accountId);
        return schedule == null ? AccountSchedule.empty(accountId) : schedule;
    }

    private void save(AccountSchedule before, AccountSchedule after, long timestamp) {
        if (before.equals(after)) {
            return;
        }
        schedules.put(after.accountId(), after);
        if (!Objects.equals(before.wakeAt(), after.wakeAt())) {
            if (before.wakeAt() != null) {
                removeWake(WakeIndex.key(before.wakeAt(), before.accountId()));
            }
            if (after.wakeAt() != null) {
                wakeIndex.put(WakeIndex.key(after.wakeAt(), after.accountId()), PRESENT);
            }
        }
        BackupStatus status = rules.status(after);
        if (!status.equals(rules.status(before))) {
            context.forward(new Record<>(after.accountId(), new Routed(topics.status(), status), timestamp));
        }
    }

    /**
     * Removes an index entry. {@code put(key, null)} removes it and logs the same tombstone as {@code delete(key)},
     * without the read {@code delete} makes for the old value it returns (9% of a cold tick's CPU).
     */
    private void removeWake(Bytes key) {
        wakeIndex.put(key, null);
    }

    private static Instant truncated(Instant instant) {
        return instant == null ? null : Instant.ofEpochMilli(instant.toEpochMilli());
    }
}
