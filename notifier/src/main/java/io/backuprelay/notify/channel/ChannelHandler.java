package io.backuprelay.notify.channel;

import io.backuprelay.common.event.BackupEvent;
import io.backuprelay.common.kafka.JobContext;
import io.backuprelay.common.kafka.JobHandler;
import io.backuprelay.common.kafka.JobResult;
import io.backuprelay.common.kafka.Output;
import io.backuprelay.hook.ChannelDelivery;
import java.util.List;

/**
 * {@code backup.outcomes} → the first try of each outcome to each channel of its account that is sent it. A
 * channel that does not take it is not waited for here (that would hold the partition, and the other channels'
 * news, back): its delivery goes to {@code backup.deliveries}, in the same transaction as the input's offset,
 * for {@link DeliveryHandler} to try again.
 */
public final class ChannelHandler implements JobHandler<BackupEvent> {

    private final ChannelDeliverer deliverer;
    private final String deliveries;

    /** @param deliveries the topic of deliveries waiting for another try */
    public ChannelHandler(ChannelDeliverer deliverer, String deliveries) {
        this.deliverer = deliverer;
        this.deliveries = deliveries;
    }

    @Override
    public JobResult handle(BackupEvent event, JobContext context) {
        List<ChannelDelivery> again = deliverer.first(event);
        return new JobResult(again.stream().map(d -> Output.json(deliveries, d.key(), d)).toList(), null);
    }
}
