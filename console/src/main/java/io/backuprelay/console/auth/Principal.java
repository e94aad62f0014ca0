package io.backuprelay.console.auth;

/**
 * Who called, from the token's claims.
 *
 * @param accountId the account a super-administrator administers; {@code null} for an operator
 * @param locale    the caller's language (claim {@code locale}), e.g. {@code es}; {@code null}: not said
 */
public record Principal(String subject, String email, String accountId, Role role, String locale) {

    public Principal(String subject, String email, String accountId, Role role) {
        this(subject, email, accountId, role, null);
    }
}
