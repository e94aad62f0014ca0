package io.backuprelay.common.kafka;

import java.util.List;

/**
 * What a job ends with: the records to produce, and what to do once they and the input offset are
 * committed (e.g. remove a staged file that is no longer needed). {@code afterCommit} never runs
 * for a job whose commit did not happen.
 */
public record JobResult(List<Output> outputs, Runnable afterCommit) {

    public JobResult {
        outputs = List.copyOf(outputs);
        afterCommit = afterCommit == null ? () -> { } : afterCommit;
    }

    public static JobResult of(Output... outputs) {
        return new JobResult(List.of(outputs), null);
    }

    public JobResult thenAfterCommit(Runnable action) {
        return new JobResult(outputs, action);
    }
}
