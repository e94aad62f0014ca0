package io.backuprelay.dump;

/**
 * A dump could not be made, for a reason the account's super-administrator can read: it never
 * contains a password, a stack trace or a tool's raw output with secrets in it.
 */
public final class DumpFailedException extends Exception {

    public DumpFailedException(String reason) {
        super(reason);
    }
}
