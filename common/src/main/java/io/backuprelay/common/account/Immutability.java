package io.backuprelay.common.account;

import java.time.Duration;
import java.util.Objects;

/**
 * How a connection keeps each backup it stores beyond anyone's reach for a while: written with a
 * time-based retention of {@code days} days, and optionally under a legal hold (kept until the hold is
 * lifted, whatever the date).
 *
 * <p>Azure: version-level immutability ({@code x-ms-immutability-policy-mode} {@code Unlocked} or
 * {@code Locked}). S3: Object Lock, {@code GOVERNANCE} for {@link Mode#UNLOCKED} (a user with the
 * bypass permission can still shorten or remove it) and {@code COMPLIANCE} for {@link Mode#LOCKED}
 * (no one can, the root account included, until the date).
 */
public record Immutability(int days, Mode mode, boolean legalHold) {

    public static final int MAX_DAYS = 36_500;

    /** Whether the retention can still be shortened or removed by a privileged user. */
    public enum Mode {
        /** Azure "Unlocked", S3 "GOVERNANCE": can be shortened or removed by a privileged user. */
        UNLOCKED,
        /** Azure "Locked", S3 "COMPLIANCE": can be extended, never shortened or removed before its date. */
        LOCKED
    }

    public Immutability {
        Objects.requireNonNull(mode, "mode");
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("immutability days must be between 1 and " + MAX_DAYS + ", is " + days);
        }
    }

    public Duration period() {
        return Duration.ofDays(days);
    }
}
