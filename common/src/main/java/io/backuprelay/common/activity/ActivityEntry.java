package io.backuprelay.common.activity;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One entry of an account's activity log (topic {@code backup.activity}, key accountId): who did
 * what to the account, and when. It never holds a secret: a secret field that changed appears in
 * {@link #changes} by its name with {@code secret} true and no value ({@link Changes}).
 *
 * @param version  1; a breaking change bumps it (absent: 1)
 * @param entryId  a time-ordered UUID ({@link ActivityIds}): entries sort by it, the newest last
 * @param at       when the console did it, by its clock
 * @param actor    who did it, from the claims of their token
 * @param target   what it was done to: a connection, backup or channel id; {@code null} for the
 *                 account's settings and registration
 * @param changes  for an addition, a change or a deletion: each field that changed (empty otherwise)
 * @param details  what else says what happened, by name (e.g. {@code result}: ok, {@code copy}: the
 *                 connection of a copy); never a secret (empty when nothing)
 */
public record ActivityEntry(int version, String entryId, String accountId, Instant at, Actor actor,
                            ActivityAction action, String target, List<Change> changes, Map<String, String> details) {

    public static final int VERSION = 1;

    public ActivityEntry {
        version = version == 0 ? VERSION : version;
        Objects.requireNonNull(entryId, "entryId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        changes = changes == null ? List.of() : List.copyOf(changes);
        details = details == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(details));
    }

    /**
     * Who acted: the token's subject and email (either may be all a token has) and role.
     *
     * @param role {@code superadmin} or {@code operator}
     */
    public record Actor(String subject, String email, String role) {
    }

    /**
     * One field that changed.
     *
     * @param field  its name, nested fields with dots ({@code retention.keepLast})
     * @param from   its value before, as text; {@code null}: none (and always for a secret)
     * @param to     its value after, as text; {@code null}: none (and always for a secret)
     * @param secret the field is a secret (a key, a token, a password, a webhook's URL): that it
     *               changed is all an entry says of it
     */
    public record Change(String field, String from, String to, boolean secret) {

        public Change {
            Objects.requireNonNull(field, "field");
            if (secret) {
                from = null;
                to = null;
            }
        }

        /** A secret that was set, replaced or removed: its name only. */
        public static Change secret(String field) {
            return new Change(field, null, null, true);
        }
    }
}
