package io.backuprelay.notify.channel;

import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.common.kafka.PoisonMessageException;
import io.backuprelay.common.kafka.RetryingHandler;
import io.backuprelay.hook.ChannelDelivery;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code backup.deliveries} → another try of a delivery, once it is due: the wait is at most {@code HOOK_RETRY_MAX}
 * (a record is never due later than that after it was written) and ends at once when the worker stops (the record
 * is then not committed, and the next instance tries it). Not taken again: the record goes back to the topic with
 * a doubled wait; its budget spent: the dead-letter topic, its error naming the channel and the last answer.
 */
public final class DeliveryHandler implements JobHandler<ChannelDelivery> {

    private final ChannelDeliverer deliverer;
    private final ChannelConfig config;
    private final String deliveries;
    private final RetryingHandler.Sleeper sleeper;
    private final Clock clock;

    public DeliveryHandler(ChannelDeliverer deliverer, ChannelConfig config, String deliveries,
                           RetryingHandler.Sleeper sleeper, Clock clock) {
        this.deliverer = deliverer;
        this.config = config;
        this.deliveries = deliveries;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    @Override
    public JobResult handle(ChannelDelivery delivery, JobContext context) throws InterruptedException {
        Duration wait = Duration.between(clock.instant(), delivery.nextTryAt());
        if (wait.isPositive()) {
            sleeper.sleep(wait.compareTo(config.max()) > 0 ? config.max() : wait);
        }
        return switch (deliverer.again(delivery)) {
            case ChannelDeliverer.Delivered ignored -> JobResult.of();
            case ChannelDeliverer.Dropped ignored -> JobResult.of();
            case ChannelDeliverer.Retry retry -> JobResult.of(Output.json(deliveries, retry.next().key(), retry.next()));
            case ChannelDeliverer.GivenUp givenUp -> throw new PoisonMessageException(givenUp.why());
        };
    }
}
