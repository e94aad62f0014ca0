package io.backuprelay.console.auth;

/**
 * Who called, from the token's claims.
 *
 * @param accountId the account a super-administrator administers; {@code null} for an operator
 */
public record Principal(String subject, String email, String accountId, Role role) {
}
