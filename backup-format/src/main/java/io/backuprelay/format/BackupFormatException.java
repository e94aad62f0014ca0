package io.backuprelay.format;

/**
 * A stored backup that cannot be read as this format says it is written: an unknown word in its
 * manifest or metadata, a key that cannot open it, a stream larger than allowed. The message says
 * what is wrong in the words a person needs to act.
 */
public class BackupFormatException extends RuntimeException {

    public BackupFormatException(String message) {
        super(message);
    }

    public BackupFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
