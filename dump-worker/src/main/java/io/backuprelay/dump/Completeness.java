package io.backuprelay.dump;

import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.database.Inventory;
import java.util.List;

/**
 * Checks that an archive holds every object the source database listed: a dump tool that skips
 * what its user may not read (and exits 0) fails the backup here, naming what is missing.
 */
public final class Completeness {

    private static final int NAMED = 10;

    private Completeness() {
    }

    /** @throws DumpFailedException naming up to ten missing objects and the grant that usually explains them */
    public static void check(SourceDatabase source, Inventory inDatabase, Inventory inArchive, String tool)
            throws DumpFailedException {
        List<String> missing = inDatabase.missingFrom(inArchive, false);
        if (missing.isEmpty()) {
            return;
        }
        String named = String.join(", ", missing.subList(0, Math.min(NAMED, missing.size())))
                + (missing.size() > NAMED ? " and " + (missing.size() - NAMED) + " more" : "");
        throw new DumpFailedException("The archive " + tool + " wrote for " + source.describe() + " lacks "
                + missing.size() + " object(s) the database holds: " + named + ". The backup user '" + source.username()
                + "' probably cannot read them; grant it read access to them (the owner's grants, or SELECT on the"
                + " tables) and back up again.");
    }
}
