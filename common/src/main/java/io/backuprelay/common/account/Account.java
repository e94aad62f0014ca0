package io.backuprelay.common.account;

import java.util.List;
import java.util.Objects;

/**
 * A tenant of the platform, as its operators registered it (topic {@code backup.accounts}).
 *
 * @param locale   e.g. {@code en}, {@code es}: the language of the account's emails
 * @param timeZone an IANA zone id, e.g. {@code Europe/Madrid}: dates in emails are shown in it
 * @param storageOrigins the entries of {@code BACKUPRELAY_ALLOWED_ENDPOINTS} (origins such as
 *                 {@code https://storage.internal:8443}, or suffixes) an operator granted this
 *                 account's connections; Azure's own hosts need none
 */
public record Account(
        String accountId,
        String displayName,
        String locale,
        String timeZone,
        List<String> superadminEmails,
        SourceDatabase source,
        List<String> storageOrigins) {

    public Account {
        Objects.requireNonNull(accountId, "accountId");
        displayName = displayName == null ? accountId : displayName;
        locale = locale == null ? "en" : locale;
        timeZone = timeZone == null ? "UTC" : timeZone;
        superadminEmails = superadminEmails == null ? List.of() : List.copyOf(superadminEmails);
        Objects.requireNonNull(source, "source");
        storageOrigins = storageOrigins == null ? List.of() : List.copyOf(storageOrigins);
    }

    /** An account granted no extra storage origins. */
    public Account(String accountId, String displayName, String locale, String timeZone, List<String> superadminEmails,
                   SourceDatabase source) {
        this(accountId, displayName, locale, timeZone, superadminEmails, source, List.of());
    }
}
