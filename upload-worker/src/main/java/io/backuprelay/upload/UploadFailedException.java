package io.backuprelay.upload;

/** An upload that cannot succeed as things are, with a reason a super-administrator can act on. */
public final class UploadFailedException extends Exception {

    public UploadFailedException(String reason) {
        super(reason);
    }
}
