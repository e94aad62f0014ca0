package io.backuprelay.scheduler;

/** Told about every tick of every partition: how many accounts it looked at and how long it took. */
@FunctionalInterface
public interface TickListener {

    /**
     * @param partition the partition (task) that ticked
     * @param woken     accounts whose wake-up time had come
     * @param requested automatic backups requested
     * @param timedOut  running backups declared failed
     * @param nanos     how long the tick took
     * @param cpuNanos  how much of it the thread spent on the CPU
     */
    void onTick(int partition, int woken, int requested, int timedOut, long nanos, long cpuNanos);

    TickListener NONE = (partition, woken, requested, timedOut, nanos, cpuNanos) -> { };
}
