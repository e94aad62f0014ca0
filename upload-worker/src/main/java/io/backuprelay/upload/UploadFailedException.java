package io.backuprelay.upload;

/**
 * An upload that failed, with a reason a super-administrator can act on, and whether trying again
 * may help: transient faults (timeouts, 5xx, throttling, resets) are retried from the staged
 * archive; permanent ones (a rejected key, a missing container, an immutability policy) are not.
 */
public final class UploadFailedException extends Exception {

    private final boolean transientFault;

    public UploadFailedException(String reason) {
        this(reason, false);
    }

    public UploadFailedException(String reason, boolean transientFault) {
        super(reason);
        this.transientFault = transientFault;
    }

    public boolean isTransient() {
        return transientFault;
    }
}
