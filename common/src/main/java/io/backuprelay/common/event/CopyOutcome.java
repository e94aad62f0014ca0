package io.backuprelay.common.event;

/**
 * How the copy of one stored backup to one copy destination went ({@code backup.outcomes}, keyed by
 * account): {@link CopyStored} or {@link CopyFailed}. A copy never changes how the backup itself ended.
 */
public sealed interface CopyOutcome extends BackupEvent permits CopyStored, CopyFailed {

    /** The copy destination: a connection of the account. */
    String connectionId();

    /** Which try of this copy it was, from 1. */
    int attempt();
}
