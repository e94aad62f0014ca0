package io.backuprelay.format.inventory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a database holds, by name: kept in each backup's manifest (taken from the source), listed
 * from an archive, or read from a restored database, so that any two can be compared. Names are
 * {@code schema.name} for PostgreSQL and plain names for MariaDB; a trigger is
 * {@code table.trigger} (with its schema on PostgreSQL). Names are joined unquoted, as manifests
 * have always held them, so they are compared only with names read the same way; an archive is
 * checked against its database by identity (the database module's {@code DatabaseObject.Identity}), not by these names.
 *
 * @param tables each table with its exact row count, or {@link #NOT_COUNTED} (an archive's listing,
 *               a partitioned table whose rows are in its partitions, or counts turned off)
 */
public record Inventory(
        List<String> schemas,
        Map<String, Long> tables,
        List<String> views,
        List<String> sequences,
        List<String> routines,
        List<String> triggers,
        List<String> events,
        List<String> extensions) {

    public static final long NOT_COUNTED = -1;

    public Inventory {
        schemas = sorted(schemas);
        tables = tables == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(tables));
        views = sorted(views);
        sequences = sorted(sequences);
        routines = sorted(routines);
        triggers = sorted(triggers);
        events = sorted(events);
        extensions = sorted(extensions);
    }

    private static List<String> sorted(List<String> names) {
        return names == null ? List.of() : List.copyOf(new TreeSet<>(names));
    }

    /** Rows in all counted tables. */
    public long rows() {
        return tables.values().stream().filter(n -> n >= 0).mapToLong(Long::longValue).sum();
    }

    /** e.g. {@code 3 tables (7,000 rows), 1 view, 2 routines, 1 trigger, 1 sequence}. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        parts.add(count(tables.size(), "table") + (tables.values().stream().anyMatch(n -> n >= 0)
                ? String.format(" (%,d rows)", rows()) : ""));
        add(parts, schemas.size(), "schema");
        add(parts, views.size(), "view");
        add(parts, sequences.size(), "sequence");
        add(parts, routines.size(), "routine");
        add(parts, triggers.size(), "trigger");
        add(parts, events.size(), "event");
        add(parts, extensions.size(), "extension");
        return String.join(", ", parts);
    }

    /**
     * What this inventory holds that {@code other} lacks, one line per object (e.g.
     * {@code routine public.f}); with {@code rows}, also each table whose counted rows differ
     * (e.g. {@code rows of public.invoice: 5000 in the backup, 4999 restored}).
     */
    public List<String> missingFrom(Inventory other, boolean rows) {
        List<String> missing = new ArrayList<>();
        missing(missing, "schema", schemas, other.schemas);
        missing(missing, "table", List.copyOf(tables.keySet()), List.copyOf(other.tables.keySet()));
        missing(missing, "view", views, other.views);
        missing(missing, "sequence", sequences, other.sequences);
        missing(missing, "routine", routines, other.routines);
        missing(missing, "trigger", triggers, other.triggers);
        missing(missing, "event", events, other.events);
        missing(missing, "extension", extensions, other.extensions);
        if (rows) {
            tables.forEach((table, count) -> {
                Long theirs = other.tables.get(table);
                if (count >= 0 && theirs != null && theirs >= 0 && !Objects.equals(count, theirs)) {
                    missing.add("rows of " + table + ": " + count + " in the backup, " + theirs + " restored");
                }
            });
        }
        return missing;
    }

    private static void missing(List<String> out, String kind, List<String> ours, List<String> theirs) {
        TreeSet<String> present = new TreeSet<>(theirs);
        for (String name : ours) {
            if (!present.contains(name)) {
                out.add(kind + " " + name);
            }
        }
    }

    private static void add(List<String> parts, int n, String noun) {
        if (n > 0) {
            parts.add(count(n, noun));
        }
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
