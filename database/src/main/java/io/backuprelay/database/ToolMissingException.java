package io.backuprelay.database;

/** A PostgreSQL or MariaDB client tool this machine would need is not installed; the message says which. */
public final class ToolMissingException extends Exception {

    public ToolMissingException(String message) {
        super(message);
    }
}
