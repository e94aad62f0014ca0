package io.backuprelay.dump.runner;

/**
 * A dump could not be made, for a reason the account's super-administrator can read: it never
 * contains a password, a stack trace or a tool's raw output with secrets in it.
 */
public final class DumpFailedException extends Exception {

    private final boolean interrupted;

    public DumpFailedException(String reason) {
        this(reason, false);
    }

    private DumpFailedException(String reason, boolean interrupted) {
        super(reason);
        this.interrupted = interrupted;
    }

    /** The source database ended the dump's session while it ran (an administrator, a restart, a failover): worth another try. */
    public static DumpFailedException interrupted(String reason) {
        return new DumpFailedException(reason, true);
    }

    /** A failure that is {@link #interrupted()} when {@code interrupted} is true. */
    public static DumpFailedException of(String reason, boolean interrupted) {
        return new DumpFailedException(reason, interrupted);
    }

    /** Whether the source ended the dump's session: the dump may succeed if tried again. */
    public boolean interrupted() {
        return interrupted;
    }
}
