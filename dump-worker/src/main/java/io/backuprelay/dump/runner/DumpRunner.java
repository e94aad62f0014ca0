package io.backuprelay.dump.runner;

import io.backuprelay.format.archive.DumpFormat;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.dump.archive.ArchiveFile;
import io.backuprelay.dump.archive.ArchiveSink;
import java.io.IOException;
import java.util.List;

/** Dumps one engine's database into a staged archive. */
public interface DumpRunner {

    /**
     * @throws DumpFailedException  with a reason for the super-administrator; nothing is left in staging
     * @throws InterruptedException when the job is cancelled; the tool is stopped and nothing is left in staging
     */
    Dumped dump(SourceDatabase source, String password, ArchiveSink sink, DumpJob job)
            throws DumpFailedException, IOException, InterruptedException;

    /**
     * A complete archive, with what it was made from.
     *
     * @param warnings   what the archive may lack although the tool succeeded, for the success email
     * @param inventory  what the database held when it was dumped, checked against the archive; for the manifest
     */
    record Dumped(ArchiveFile archive, String serverVersion, String toolVersion, DumpFormat format,
                  List<String> warnings, Inventory inventory) {

        public Dumped {
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }

        /** Tables in what was dumped, for the manifest. */
        public long tableCount() {
            return inventory.tables().size();
        }
    }
}
