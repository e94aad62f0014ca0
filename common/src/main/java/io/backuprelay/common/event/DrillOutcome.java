package io.backuprelay.common.event;

/**
 * How the restore drill of one stored backup ended ({@code backup.outcomes}, keyed by account):
 * {@link RestoreVerified} or {@link RestoreFailed}.
 */
public sealed interface DrillOutcome extends BackupEvent permits RestoreVerified, RestoreFailed {

    /** What the drill did. */
    enum Kind {
        /** Downloaded, SHA-256 checked, restored into a scratch database and compared with the manifest's inventory. */
        RESTORE,
        /** An encrypted backup (or no drill server for its engine): SHA-256 of the blob and a parse of its header only. */
        INTEGRITY_ONLY
    }

    Kind kind();

    /** The drill's finding in one line, for the page and the email. */
    String detail();
}
