package io.backuprelay.console.auth;

import java.util.Locale;
import java.util.Optional;

/** Who may do what: a super-administrator manages its own account's backups; an operator registers accounts. */
public enum Role {
    SUPERADMIN,
    OPERATOR;

    public static Optional<Role> parse(String claim) {
        if (claim == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(claim.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public String claim() {
        return name().toLowerCase(Locale.ROOT);
    }
}
