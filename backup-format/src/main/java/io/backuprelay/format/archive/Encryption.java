package io.backuprelay.format.archive;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * Whether an archive is encrypted: not at all, or with age to X25519 recipients. Its
 * {@link #label()} is the word in events, blob metadata and manifests.
 */
public enum Encryption {
    NONE("none", ""),
    AGE_X25519("age-x25519", ".age");

    private final String label;
    private final String extension;

    Encryption(String label, String extension) {
        this.label = label;
        this.extension = extension;
    }

    /** The encryption of an archive written for these recipients. */
    public static Encryption forRecipients(List<String> recipients) {
        return recipients == null || recipients.isEmpty() ? NONE : AGE_X25519;
    }

    @JsonValue
    public String label() {
        return label;
    }

    /** What the blob name carries last: {@code .age} or nothing. */
    public String extension() {
        return extension;
    }

    public boolean encrypted() {
        return this != NONE;
    }

    /** @throws io.backuprelay.format.BackupFormatException naming {@code label} when it is no encryption of ours */
    @JsonCreator
    public static Encryption of(String label) {
        return Words.parse(Encryption.class, "encryption", label, Encryption::label);
    }

    @Override
    public String toString() {
        return label;
    }
}
