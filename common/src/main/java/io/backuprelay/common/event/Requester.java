package io.backuprelay.common.event;

import java.util.Objects;

/**
 * The person who pressed "Create database backup", to whom its email goes too.
 *
 * @param email  their address, from their token's {@code email} claim
 * @param locale their language, from their token's {@code locale} claim; {@code null}: the account's
 */
public record Requester(String email, String locale) {

    public Requester {
        Objects.requireNonNull(email, "email");
    }
}
