package io.backuprelay.dump.runner;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.DatabaseObject;
import io.backuprelay.database.DatabaseObject.Identity;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Checks that an archive holds every object the source database listed, by identity (never by
 * names split out of a listing): a dump tool that skips what its user may not read (and exits 0)
 * fails the backup here, naming what is missing, and the grant is advised only for what the user
 * really may not read.
 */
public final class Completeness {

    private static final int NAMED = 10;

    /** Which objects the backup user lacks the privilege to dump; asked only when some are missing. */
    @FunctionalInterface
    public interface ReadPrivileges {

        /** @return those of {@code objects} the backup user may not read */
        List<DatabaseObject> unreadable(List<DatabaseObject> objects) throws SQLException;

        /** The grants that let a user read such objects, for the message. */
        default String grants() {
            return "the owner's grants, or SELECT on the tables";
        }
    }

    private Completeness() {
    }

    /** @throws DumpFailedException naming up to ten missing objects, and the grant only where one is missing */
    public static void check(SourceDatabase source, List<DatabaseObject> inDatabase, Set<Identity> inArchive,
                             String tool, ReadPrivileges privileges) throws DumpFailedException {
        List<DatabaseObject> missing = inDatabase.stream().filter(o -> !inArchive.contains(o.identity()))
                .sorted(Comparator.comparing(DatabaseObject::kind).thenComparing(DatabaseObject::name)).toList();
        if (missing.isEmpty()) {
            return;
        }
        String lacks = "The archive " + tool + " wrote for " + source.describe() + " lacks " + missing.size()
                + " object(s) the database holds: " + named(missing) + ".";
        String user = "The backup user '" + source.username() + "'";
        List<DatabaseObject> unreadable;
        try {
            unreadable = privileges.unreadable(missing);
        } catch (SQLException e) {
            throw new DumpFailedException(lacks + " Whether the backup user '" + source.username() + "' may read them"
                    + " could not be checked (" + ConnectionProblems.firstLine(e.getMessage()) + "); if it may not, grant"
                    + " it read access to them (" + privileges.grants() + ") and back up again.");
        }
        if (unreadable.isEmpty()) {
            throw new DumpFailedException(lacks + " " + user + " may read all of them, so no grant is missing: " + tool
                    + " left them out on its own, a defect of the dump, not of the user's privileges. Back up again;"
                    + " if the same objects are missing again, report it with this message.");
        }
        String readable = unreadable.size() == missing.size() ? ""
                : " It may read the other " + (missing.size() - unreadable.size()) + ", which " + tool
                  + " left out on its own.";
        throw new DumpFailedException(lacks + " " + user + " may not read " + unreadable.size() + " of them: "
                + named(unreadable) + "; grant it read access to them (" + privileges.grants() + ") and back up again."
                + readable);
    }

    private static String named(List<DatabaseObject> objects) {
        return String.join(", ", objects.subList(0, Math.min(NAMED, objects.size())).stream()
                .map(DatabaseObject::describe).toList())
                + (objects.size() > NAMED ? " and " + (objects.size() - NAMED) + " more" : "");
    }
}
