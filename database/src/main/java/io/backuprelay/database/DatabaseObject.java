package io.backuprelay.database;

import io.backuprelay.format.inventory.Inventory;
import java.util.Locale;

/**
 * One object a backup must hold: what it is, how a person writes its name in SQL, and the identity
 * by which a dump's listing names it exactly, whatever characters the name holds.
 *
 * @param name     quoted where SQL needs it, e.g. {@code "Sales Ops"."Orders"} or {@code `a``b`}
 * @param identity equal for the object in the database and its entry in an archive's listing
 */
public record DatabaseObject(Kind kind, String name, Identity identity) {

    public enum Kind {
        SCHEMA, TABLE, VIEW, SEQUENCE, ROUTINE, TRIGGER, EVENT, EXTENSION;

        /** As {@link Inventory#missingFrom} names it: {@code table}, {@code routine}… */
        public String noun() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** e.g. {@code table "Sales Ops"."Orders"} */
    public String describe() {
        return kind.noun() + " " + name;
    }

    /**
     * PostgreSQL: the OID of the system catalog holding the object and its own OID, as every entry
     * of {@code pg_restore --list} carries them ({@code 1259 18057}: pg_class, OID 18057); MariaDB:
     * the statement that creates it and its exact name (triggers and events are unique by name in a
     * database; a function and a procedure may share one).
     */
    public record Identity(String space, String key) {

        public static Identity oid(long catalog, long oid) {
            return new Identity(Long.toString(catalog), Long.toString(oid));
        }

        /** @param statement {@code table}, {@code view}, {@code sequence}, {@code function}, {@code procedure}, {@code trigger} or {@code event} */
        public static Identity named(String statement, String exactName) {
            return new Identity(statement.toLowerCase(Locale.ROOT), exactName);
        }
    }
}
