package io.backuprelay.common.ops;

import java.time.Clock;

/**
 * The ops events of one service, bound to its name and its clock: a caller says what happened to
 * which backup, and the event is built the one way, stamped with the service and the time.
 *
 * <pre>{@code
 * ops.publish(backupId, accountId, OpsStage.NOTIFY, OpsStatus.SENT, messageId + " to 2 recipient(s)");
 * ops.publish(ops.event(backupId, accountId, OpsStage.DUMP, OpsStatus.FINISHED).withBytes(size).withTime(ended));
 * }</pre>
 */
public final class ServiceOps {

    private final OpsPublisher publisher;
    private final String service;
    private final Clock clock;

    /** @param service the name the events carry as their {@code worker}: {@code dump-worker}, {@code console}, … */
    public ServiceOps(OpsPublisher publisher, String service, Clock clock) {
        this.publisher = publisher;
        this.service = service;
        this.clock = clock;
    }

    /** Builds the events of a service that sends them its own way (a Streams processor, the console's producer). */
    public static ServiceOps unpublished(String service, Clock clock) {
        return new ServiceOps(OpsPublisher.NONE, service, clock);
    }

    /**
     * What happened to a backup's stage now, by this service; {@link OpsEvent#withBytes},
     * {@link OpsEvent#withDetail} and {@link OpsEvent#withTime} add the rest.
     *
     * @param backupId  {@code null} for an event of the instance itself
     * @param accountId {@code null} for an event of the instance itself
     */
    public OpsEvent event(String backupId, String accountId, OpsStage stage, OpsStatus status) {
        return new OpsEvent(backupId, accountId, stage, status, null, service, clock.instant(), null, null);
    }

    /** Publishes what happened to a backup's stage now, in a few words for operators ({@code null}: none). */
    public void publish(String backupId, String accountId, OpsStage stage, OpsStatus status, String detail) {
        publish(event(backupId, accountId, stage, status).withDetail(detail));
    }

    /** Publishes an event, fire and forget (see {@link OpsPublisher}). */
    public void publish(OpsEvent event) {
        publisher.publish(event);
    }
}
